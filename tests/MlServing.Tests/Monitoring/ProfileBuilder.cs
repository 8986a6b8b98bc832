using MlServing.Inference.Monitoring;

namespace MlServing.Tests.Monitoring;

/// <summary>
/// A reference profile computed here from reference rows, the way profile.json is specified: k quantile edges per
/// feature (values as the FP32 input sees them), the share of rows per bin <c>(e[i-1], e[i]]</c>, and the share of each
/// predicted class.
/// </summary>
public static class ProfileBuilder
{
    public static ReferenceProfile Build(string[] features, double[][] rows, string output, string[] predictedClasses, int bins = 10)
    {
        var profiles = new FeatureProfile[features.Length];
        for (var f = 0; f < features.Length; f++)
        {
            var values = rows.Select(r => (double)(float)r[f]).Order().ToArray();
            var edges = new double[bins - 1];
            for (var k = 1; k < bins; k++)
            {
                edges[k - 1] = values[(int)Math.Ceiling((double)k * values.Length / bins) - 1];
            }

            var counts = new double[bins];
            foreach (var value in values)
            {
                counts[BinOf(edges, value)]++;
            }

            profiles[f] = new FeatureProfile { Name = features[f], Edges = edges, Fractions = [.. counts.Select(c => c / values.Length)] };
        }

        var classes = predictedClasses.GroupBy(c => c).ToDictionary(g => g.Key, g => (double)g.Count() / predictedClasses.Length);
        return new ReferenceProfile
        {
            Rows = rows.Length,
            Features = profiles,
            Outputs = [new OutputProfile { Name = output, Classes = classes }],
        };
    }

    public static void Write(ReferenceProfile profile, string path)
    {
        using var stream = File.Create(path);
        profile.Write(stream);
    }

    private static int BinOf(double[] edges, double value)
    {
        var bin = 0;
        while (bin < edges.Length && value > edges[bin])
        {
            bin++;
        }

        return bin;
    }
}
