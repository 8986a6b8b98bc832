using System.Globalization;
using System.Text.Json;

namespace MlServing.Inference.Monitoring;

/// <summary>Finds and checks the reference profile of a model version: <c>&lt;version&gt;/profile.json</c>, else <c>&lt;model&gt;/profile.json</c>.</summary>
internal static class ProfileReader
{
    /// <summary>Largest difference from 1 accepted for the sum of a profile's shares (they are written rounded).</summary>
    private const double SumTolerance = 1e-3;

    /// <summary>The profile file that applies to the version in <paramref name="versionDirectory"/>, or null.</summary>
    public static string? Find(string versionDirectory)
    {
        var own = Path.Combine(versionDirectory, ReferenceProfile.FileName);
        if (File.Exists(own))
        {
            return own;
        }

        var model = Path.GetDirectoryName(versionDirectory);
        var shared = model is null ? null : Path.Combine(model, ReferenceProfile.FileName);
        return shared is not null && File.Exists(shared) ? shared : null;
    }

    /// <exception cref="InvalidDataException">The file is not a well-formed profile; the message names the field.</exception>
    public static ReferenceProfile Read(string path)
    {
        ReferenceProfile profile;
        try
        {
            using var stream = File.OpenRead(path);
            profile = ReferenceProfile.Read(stream);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("not valid JSON: " + ex.Message, ex);
        }

        profile = Complete(profile);
        Check(profile);
        return profile;
    }

    /// <summary>The profile with every list present: a member left out of the file reads as null, and means none.</summary>
    private static ReferenceProfile Complete(ReferenceProfile profile) => new()
    {
        Rows = profile.Rows,
        Features = Array.ConvertAll(profile.Features ?? [], f => new FeatureProfile { Name = f?.Name ?? string.Empty, Edges = f?.Edges ?? [], Fractions = f?.Fractions ?? [] }),
        Outputs = Array.ConvertAll(profile.Outputs ?? [], o => new OutputProfile { Name = o?.Name ?? string.Empty, Classes = o?.Classes ?? [] }),
    };

    private static void Check(ReferenceProfile profile)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var f = 0; f < profile.Features.Length; f++)
        {
            var feature = profile.Features[f];
            var field = string.Create(CultureInfo.InvariantCulture, $"features[{f}]");
            if (string.IsNullOrEmpty(feature.Name) || !names.Add(feature.Name))
            {
                throw new InvalidDataException($"{field}.name must be a distinct, non-empty name");
            }

            var edges = feature.Edges;
            for (var i = 0; i < edges.Length; i++)
            {
                if (!double.IsFinite(edges[i]) || (i > 0 && edges[i] < edges[i - 1]))
                {
                    throw new InvalidDataException($"{field}.edges must be finite and ascending (edge {i} is {edges[i].ToString(CultureInfo.InvariantCulture)})");
                }
            }

            CheckShares(feature.Fractions, edges.Length + 1, field + ".fractions");
        }

        names.Clear();
        for (var o = 0; o < profile.Outputs.Length; o++)
        {
            var output = profile.Outputs[o];
            var field = string.Create(CultureInfo.InvariantCulture, $"outputs[{o}]");
            if (string.IsNullOrEmpty(output.Name) || !names.Add(output.Name))
            {
                throw new InvalidDataException($"{field}.name must be a distinct, non-empty name");
            }

            if (output.Classes is not { Count: > 0 } classes)
            {
                throw new InvalidDataException($"{field}.classes must list at least one class");
            }

            CheckShares([.. classes.Values], classes.Count, field + ".classes");
        }
    }

    private static void CheckShares(double[] shares, int expected, string field)
    {
        if (shares.Length != expected)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{field} has {shares.Length} values; {expected} expected (one per bin)"));
        }

        double sum = 0;
        foreach (var share in shares)
        {
            if (!double.IsFinite(share) || share < 0 || share > 1)
            {
                throw new InvalidDataException($"{field} must be shares between 0 and 1");
            }

            sum += share;
        }

        if (Math.Abs(sum - 1) > SumTolerance)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{field} sums to {sum:0.####}, not 1"));
        }
    }
}
