using MlServing.Cli.Scoring;

namespace MlServing.Cli.Tables;

/// <summary>Which column of a file feeds each position of the model's input row, matched by header name (any order).</summary>
internal static class FeatureColumns
{
    /// <summary>The column index of each feature in <paramref name="header"/>, or an error naming the missing ones.</summary>
    public static int[] Match(IReadOnlyList<string> header, ScoringModel model, string file)
    {
        var positions = new Dictionary<string, int>(header.Count, StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            positions.TryAdd(header[i], i);
        }

        var indices = new int[model.Features.Length];
        var missing = new List<string>();
        for (var j = 0; j < indices.Length; j++)
        {
            if (positions.TryGetValue(model.Features[j], out var index))
            {
                indices[j] = index;
            }
            else
            {
                missing.Add(model.Features[j]);
            }
        }

        if (missing.Count == 0)
        {
            return indices;
        }

        var shown = string.Join(", ", missing.Take(8).Select(m => $"'{m}'")) + (missing.Count > 8 ? $" and {missing.Count - 8} more" : string.Empty);
        var why = model.FeaturesConfigured
            ? $"model '{model.Name}' reads its {model.Features.Length} features by column name (config.json 'features')"
            : $"model '{model.Name}' has no 'features' in config.json, so its {model.Features.Length} input columns must be named 0 … {model.Features.Length - 1}";
        throw new CliException($"{file} lacks the column(s) {shown}: {why}");
    }
}
