namespace MlServing.Inference.Observability;

/// <summary>Lets one message through per interval and counts the ones held back, for failures that can repeat on every request.</summary>
internal sealed class LogThrottle
{
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private long _last;
    private int _suppressed;

    public LogThrottle(TimeSpan interval, TimeProvider time)
    {
        _interval = interval;
        _time = time;
    }

    /// <summary>True when this message should be logged; <paramref name="suppressed"/> is how many were held back since the last one.</summary>
    public bool TryEnter(out int suppressed)
    {
        suppressed = 0;
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _last);
        if (last != 0 && _time.GetElapsedTime(last, now) < _interval)
        {
            Interlocked.Increment(ref _suppressed);
            return false;
        }

        if (Interlocked.CompareExchange(ref _last, now, last) != last)
        {
            Interlocked.Increment(ref _suppressed);
            return false;
        }

        suppressed = Interlocked.Exchange(ref _suppressed, 0);
        return true;
    }
}
