using System.Globalization;

namespace MlServing.Cli.Progress;

/// <summary>
/// Progress as plain lines on standard error (when it is not a terminal): at most one line per interval, e.g.
/// <c>progress: 120,000 rows (12.0 %), 98,765 rows/s, ETA 0:09</c>.
/// </summary>
internal sealed class PlainProgress : IProgressSink
{
    private readonly TextWriter _error;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ProgressRate _rate;
    private long _last;

    public PlainProgress(TextWriter error, TimeSpan interval, TimeProvider time)
    {
        _error = error;
        _interval = interval;
        _time = time;
        _rate = new ProgressRate(time);
        _last = time.GetTimestamp();
    }

    public void Report(long rows, long skipped, double? fraction)
    {
        if (_time.GetElapsedTime(_last) < _interval)
        {
            return;
        }

        _last = _time.GetTimestamp();
        var line = string.Create(CultureInfo.InvariantCulture, $"progress: {rows:N0} rows");
        if (fraction is { } share)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" ({share * 100:F1} %)");
        }

        line += string.Create(CultureInfo.InvariantCulture, $", {_rate.RowsPerSecond(rows):N0} rows/s");
        if (_rate.Remaining(fraction) is { } left)
        {
            line += ", ETA " + ProgressRate.Format(left);
        }

        if (skipped > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture, $", {skipped:N0} skipped");
        }

        _error.WriteLine(line);
        _error.Flush();
    }
}
