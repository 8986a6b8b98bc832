using System.Globalization;

namespace MlServing.Cli.Progress;

/// <summary>Rows per second and time left, from the start of a run.</summary>
internal sealed class ProgressRate
{
    private readonly TimeProvider _time;
    private readonly long _start;

    public ProgressRate(TimeProvider time)
    {
        _time = time;
        _start = time.GetTimestamp();
    }

    public TimeSpan Elapsed => _time.GetElapsedTime(_start);

    public double RowsPerSecond(long rows) => Elapsed.TotalSeconds > 0 ? rows / Elapsed.TotalSeconds : 0;

    /// <summary>Time left at the current pace, or null before there is a pace to go by.</summary>
    public TimeSpan? Remaining(double? fraction) =>
        fraction is > 0 and < 1 ? TimeSpan.FromSeconds(Elapsed.TotalSeconds * (1 - fraction.Value) / fraction.Value) : fraction >= 1 ? TimeSpan.Zero : null;

    public static string Format(TimeSpan span) => span.ToString(span.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);
}
