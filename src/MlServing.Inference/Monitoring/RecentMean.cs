namespace MlServing.Inference.Monitoring;

/// <summary>The mean of the last N values added (1/0 for correct/incorrect, or absolute errors): a ring under a lock.</summary>
internal sealed class RecentMean
{
    private readonly Lock _lock = new();
    private readonly double[] _values;
    private int _next;
    private int _count;

    public RecentMean(int size) => _values = new double[size];

    /// <summary>Adds <paramref name="values"/> (the oldest fall out) and returns the mean of what the ring holds.</summary>
    public double Add(ReadOnlySpan<double> values)
    {
        lock (_lock)
        {
            foreach (var value in values)
            {
                _values[_next] = value;
                _next = (_next + 1) % _values.Length;
                _count = Math.Min(_count + 1, _values.Length);
            }

            // Summed afresh (at most FeedbackWindow values per feedback request) so rounding never accumulates.
            double sum = 0;
            for (var i = 0; i < _count; i++)
            {
                sum += _values[i];
            }

            return sum / _count;
        }
    }
}
