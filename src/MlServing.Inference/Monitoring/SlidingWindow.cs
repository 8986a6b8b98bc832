namespace MlServing.Inference.Monitoring;

/// <summary>
/// Counters over a sliding time window: <see cref="Buckets"/> time buckets in a ring, each holding one counter per cell
/// (a bin of a feature, a class of an output) and its row count. Counting opens the current bucket (clearing it if it
/// last held an older period) under one short lock; a scrape sums the buckets still inside the window. Nothing is
/// allocated after construction.
/// </summary>
internal sealed class SlidingWindow
{
    public const int Buckets = 30;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _bucketTicks;
    private readonly int _cells;
    private readonly long[] _counts;
    private readonly long[] _rows = new long[Buckets];
    private readonly long[] _periods = new long[Buckets];

    public SlidingWindow(int cells, TimeSpan length, TimeProvider time)
    {
        _cells = cells;
        _time = time;
        _bucketTicks = Math.Max(1, (long)(length.TotalSeconds * time.TimestampFrequency / Buckets));
        _counts = new long[Buckets * cells];
        Array.Fill(_periods, long.MinValue);
    }

    public int Cells => _cells;

    /// <summary>Enters the lock and the current bucket, adding <paramref name="rows"/> rows; dispose to leave.</summary>
    public WindowScope Open(int rows)
    {
        var scope = _lock.EnterScope();
        var period = _time.GetTimestamp() / _bucketTicks;
        var slot = (int)(period % Buckets);
        var cells = _counts.AsSpan(slot * _cells, _cells);
        if (_periods[slot] != period)
        {
            cells.Clear();
            _rows[slot] = 0;
            _periods[slot] = period;
        }

        _rows[slot] += rows;
        return new WindowScope(scope, cells);
    }

    /// <summary>Adds up the buckets inside the window into <paramref name="totals"/> (one per cell); returns their rows.</summary>
    public long Sum(Span<long> totals)
    {
        totals.Clear();
        long rows = 0;
        lock (_lock)
        {
            var period = _time.GetTimestamp() / _bucketTicks;
            for (var slot = 0; slot < Buckets; slot++)
            {
                if (_periods[slot] > period - Buckets && _periods[slot] <= period)
                {
                    rows += _rows[slot];
                    var cells = _counts.AsSpan(slot * _cells, _cells);
                    for (var c = 0; c < cells.Length; c++)
                    {
                        totals[c] += cells[c];
                    }
                }
            }
        }

        return rows;
    }

    /// <summary>The current bucket's counters, held under the window's lock until disposed.</summary>
    public ref struct WindowScope
    {
        private Lock.Scope _scope;

        public WindowScope(Lock.Scope scope, Span<long> cells)
        {
            _scope = scope;
            Cells = cells;
        }

        public Span<long> Cells { get; }

        public void Dispose() => _scope.Dispose();
    }
}
