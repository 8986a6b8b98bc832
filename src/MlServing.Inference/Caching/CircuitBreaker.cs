namespace MlServing.Inference.Caching;

/// <summary>
/// Consecutive failures open the circuit for a while; then one caller is let through as a probe, and its
/// outcome closes or re-opens it. Lock-free: callers race only on the probe slot.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly int _threshold;
    private readonly TimeSpan _openFor;
    private readonly TimeProvider _time;
    private int _failures;
    private long _openUntil;
    private int _probing;

    public CircuitBreaker(int threshold, TimeSpan openFor, TimeProvider time)
    {
        _threshold = threshold;
        _openFor = openFor;
        _time = time;
    }

    public bool IsOpen => Volatile.Read(ref _failures) >= _threshold;

    /// <summary>Whether a call may go to the store now (closed, or this caller is the half-open probe).</summary>
    public bool TryEnter()
    {
        if (Volatile.Read(ref _failures) < _threshold)
        {
            return true;
        }

        if (_time.GetTimestamp() < Volatile.Read(ref _openUntil))
        {
            return false;
        }

        return Interlocked.CompareExchange(ref _probing, 1, 0) == 0;
    }

    public void Success()
    {
        Volatile.Write(ref _failures, 0);
        Volatile.Write(ref _probing, 0);
    }

    public void Failure()
    {
        if (Interlocked.Increment(ref _failures) >= _threshold)
        {
            Volatile.Write(ref _openUntil, _time.GetTimestamp() + (long)(_openFor.TotalSeconds * _time.TimestampFrequency));
            Volatile.Write(ref _probing, 0);
        }
    }
}
