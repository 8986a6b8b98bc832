namespace MlServing.Cli.Profiling;

/// <summary>
/// Quantile cut points of one feature and the real share of rows in each bin, under the profile's convention that a
/// value equal to an edge falls in the bin that edge closes: <c>(-inf, e0], (e0, e1], …, (e_k-1, +inf)</c>.
/// </summary>
internal static class QuantileBins
{
    /// <summary>
    /// Cuts <paramref name="values"/> (sorted in place) into at most <paramref name="bins"/> bins. Edge i is the
    /// smallest value with at least i/bins of the rows at or below it. Ties make fewer, strictly ascending edges (a
    /// value repeated across several quantiles is one edge, whose bin then holds more than 1/bins), and no edge is
    /// placed at the maximum, so the last bin is never empty; a constant column has no edges and one bin holding
    /// every row. Fractions are the counts per bin over the rows, so they sum to 1.
    /// </summary>
    public static (double[] Edges, double[] Fractions) Compute(double[] values, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (values.Length == 0)
        {
            throw new ArgumentException("a profile needs at least one row", nameof(values));
        }

        Array.Sort(values);
        var n = values.Length;
        var max = values[n - 1];
        var edges = new List<double>(bins - 1);
        for (var i = 1; i < bins; i++)
        {
            var rank = (int)Math.Min(n - 1, Math.Max(0, (long)Math.Ceiling((double)i * n / bins) - 1));
            var edge = values[rank];
            if (edge >= max)
            {
                break;
            }

            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        var fractions = new double[edges.Count + 1];
        var below = 0;
        for (var k = 0; k < edges.Count; k++)
        {
            var atOrBelow = UpperBound(values, edges[k]);
            fractions[k] = (double)(atOrBelow - below) / n;
            below = atOrBelow;
        }

        fractions[^1] = (double)(n - below) / n;
        return ([.. edges], fractions);
    }

    /// <summary>The number of values at or below <paramref name="value"/> in a sorted array.</summary>
    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
