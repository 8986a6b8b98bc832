namespace MlServing.Inference.Monitoring;

/// <summary>The population stability index: Σ (a − e)·ln(a / e) over bins, each share floored at 1e-4 (an empty bin stays finite).</summary>
internal static class Psi
{
    public const double Floor = 1e-4;

    /// <summary>PSI of the observed <paramref name="counts"/> (shares of their total) against the <paramref name="expected"/> shares; null when nothing was counted.</summary>
    public static double? Compute(ReadOnlySpan<long> counts, ReadOnlySpan<double> expected)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        double psi = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var a = Math.Max((double)counts[i] / total, Floor);
            var e = Math.Max(expected[i], Floor);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }
}
