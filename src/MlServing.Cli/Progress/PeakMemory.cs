namespace MlServing.Cli.Progress;

/// <summary>The process's peak resident memory (VmHWM in /proc/self/status), for <c>--report-memory</c>.</summary>
internal static class PeakMemory
{
    /// <summary>The peak in kB, or null where /proc is not available (not Linux).</summary>
    public static long? ReadKilobytes()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return null;
        }

        foreach (var line in File.ReadLines(Status))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var digits = line.AsSpan(6).Trim();
                var end = digits.IndexOf(' ');
                return long.Parse(end < 0 ? digits : digits[..end], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
