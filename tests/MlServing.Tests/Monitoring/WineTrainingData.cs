using System.Globalization;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Monitoring;

/// <summary>
/// The rows the sample wine-classifier was trained on, with their true classes: <c>models/wine-classifier/data/train.csv</c>,
/// which models/build_sample_models.py writes and <c>mlserving profile</c> built the shipped profile.json from.
/// </summary>
public sealed class WineTrainingData
{
    private static readonly Lazy<WineTrainingData> Loaded = new(Load);

    private WineTrainingData(string[] features, double[][] rows, int[] targets)
    {
        Features = features;
        Rows = rows;
        Targets = targets;
    }

    public string[] Features { get; }

    public double[][] Rows { get; }

    /// <summary>True class index of each row.</summary>
    public int[] Targets { get; }

    public static Task<WineTrainingData> GetAsync() => Task.FromResult(Loaded.Value);

    private static WineTrainingData Load()
    {
        var lines = File.ReadAllLines(Path.Combine(TestRepository.SamplesPath, WineModel.Name, "data", "train.csv")).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var width = header.Length - 1;
        var rows = new double[lines.Length - 1][];
        var targets = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var cells = lines[i + 1].Split(',');
            rows[i] = [.. cells.Take(width).Select(c => double.Parse(c, CultureInfo.InvariantCulture))];
            targets[i] = Array.IndexOf(WineModel.Labels, cells[width]);
            Assert.True(targets[i] >= 0, $"train.csv line {i + 2}: unknown class '{cells[width]}'");
        }

        return new WineTrainingData(header[..width], rows, targets);
    }
}
