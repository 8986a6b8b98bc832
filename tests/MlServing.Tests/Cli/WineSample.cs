using System.Globalization;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Cli;

/// <summary>The bundled wine-classifier: its features, labels and the reference rows with scikit-learn's answers.</summary>
public static class WineSample
{
    public const string Model = "wine-classifier";

    private static readonly JsonNode Config = JsonNode.Parse(File.ReadAllText(Path.Combine(TestRepository.SamplesPath, Model, "config.json")))!;

    public static readonly ReferenceFile Reference = ReferenceFile.Load(Path.Combine(TestRepository.SamplesPath, Model, "reference.json"));

    public static string[] Features => [.. Config["features"]!.AsArray().Select(f => f!.GetValue<string>())];

    public static string[] Labels => [.. Config["labels"]!.AsArray().Select(f => f!.GetValue<string>())];

    /// <summary>The reference rows, each as its feature values in config order.</summary>
    public static double[][] Rows
    {
        get
        {
            var data = ReferenceFile.Flatten(Reference.Inputs[0]!["data"]);
            var width = Features.Length;
            return [.. Enumerable.Range(0, data.Length / width).Select(r => data.AsSpan(r * width, width).ToArray())];
        }
    }

    public static long[] ExpectedLabels => [.. ReferenceFile.Flatten(Reference.OutputsFor(null)[0]!["data"]).Select(v => (long)v)];

    public static double[] ExpectedProbabilities => ReferenceFile.Flatten(Reference.OutputsFor(null)[1]!["data"]);

    /// <summary>A CSV cell for a feature name (quoted when it needs it).</summary>
    public static string Quote(string cell) => cell.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    public static string Cell(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes the reference rows with the columns in <paramref name="order"/> (feature names and extra columns "id", "note").</summary>
    public static string WriteCsv(IReadOnlyList<string> order, int repeat = 1, string? path = null)
    {
        var features = Features;
        var rows = Rows;
        var lines = new List<string>();
        for (var r = 0; r < rows.Length * repeat; r++)
        {
            var row = rows[r % rows.Length];
            lines.Add(string.Join(',', order.Select(column => column switch
            {
                "id" => r.ToString(CultureInfo.InvariantCulture),
                "note" => Quote($"row {r}, \"quoted\""),
                _ => Cell(row[Array.IndexOf(features, column)]),
            })));
        }

        return TableFiles.WriteCsv(string.Join(',', order.Select(Quote)), lines, lines.Count, path);
    }

    /// <summary>Checks label and probability columns against scikit-learn's answers, row by row (rows cycle through the reference).</summary>
    public static void AssertPredictions(string[] header, List<string[]> rows, int rowOffset = 0)
    {
        var labels = Labels;
        var label = Array.IndexOf(header, "label");
        Assert.True(label >= 0, "no 'label' column in " + string.Join(',', header));
        var expectedLabels = ExpectedLabels;
        var expectedProbabilities = ExpectedProbabilities;
        var reference = expectedLabels.Length;
        for (var r = 0; r < rows.Count; r++)
        {
            var i = (r + rowOffset) % reference;
            Assert.Equal(labels[expectedLabels[i]], rows[r][label]);
            var got = labels.Select(l => double.Parse(rows[r][Array.IndexOf(header, "probability_" + l)], CultureInfo.InvariantCulture)).ToArray();
            Reference.AssertClose($"row {r} probabilities", "FP32", expectedProbabilities.AsSpan(i * labels.Length, labels.Length).ToArray(), got);
        }
    }
}
