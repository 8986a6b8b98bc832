using System.Diagnostics;
using System.Globalization;

namespace MlServing.Tests.Monitoring;

/// <summary>
/// The rows the sample wine-classifier was trained on, with their true and predicted classes, from scikit-learn itself
/// (wine_training_rows.py; Debian python3-sklearn, which ./test.sh installs).
/// </summary>
public sealed class WineTrainingData
{
    private static readonly Lazy<Task<WineTrainingData>> Loaded = new(LoadAsync);

    private WineTrainingData(string[] features, double[][] rows, int[] targets, int[] predicted)
    {
        Features = features;
        Rows = rows;
        Targets = targets;
        Predicted = predicted;
    }

    public string[] Features { get; }

    public double[][] Rows { get; }

    public int[] Targets { get; }

    public int[] Predicted { get; }

    public static Task<WineTrainingData> GetAsync() => Loaded.Value;

    private static async Task<WineTrainingData> LoadAsync()
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Monitoring", "wine_training_rows.py"));
        using var python = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        var output = python.StandardOutput.ReadToEndAsync();
        var errors = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(python.ExitCode == 0, "wine_training_rows.py failed (is python3-sklearn installed? ./test.sh installs it): " + await errors);
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var width = header.Length - 2;
        var rows = new double[lines.Length - 1][];
        var targets = new int[rows.Length];
        var predicted = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var cells = lines[i + 1].Split(',');
            rows[i] = [.. cells.Take(width).Select(c => double.Parse(c, CultureInfo.InvariantCulture))];
            targets[i] = int.Parse(cells[width], CultureInfo.InvariantCulture);
            predicted[i] = int.Parse(cells[width + 1], CultureInfo.InvariantCulture);
        }

        return new WineTrainingData(header[..width], rows, targets, predicted);
    }
}
