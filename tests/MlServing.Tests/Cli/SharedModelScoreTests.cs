using System.Globalization;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Cli;

/// <summary>
/// Every shared model whose input is one numeric table, scored from a CSV of its reference rows: the output columns,
/// read back, reproduce reference.json (scikit-learn's own answers). silero-vad (three inputs: audio, recurrent state,
/// a scalar sample rate) and paddleocr-cls (one 4-D image batch) have inputs that rows of a file cannot express; the
/// CLI must refuse them with a clear message, and that is what is checked for them.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SharedModelScoreTests
{
    private static readonly string[] NotTables = ["paddleocr-cls", "silero-vad"];

    [SharedModelsFact]
    public async Task Score_EveryTableModelsReferenceRows_ReproducesReferenceJson()
    {
        var shared = SharedModelRepository.RequiredRoot;
        var checkedVersions = new List<string>();
        foreach (var folder in Directory.GetDirectories(shared).Order(StringComparer.Ordinal))
        {
            var model = Path.GetFileName(folder);
            if (!File.Exists(Path.Combine(folder, "reference.json")) || NotTables.Contains(model))
            {
                continue;
            }

            // A copy whose version policy serves every version, so that --version can pick each of them.
            using var repo = new TestRepository().AddModelFolder(shared, model);
            var root = repo.Path;
            var reference = ReferenceFile.Load(Path.Combine(folder, "reference.json"));
            var config = File.Exists(Path.Combine(folder, "config.json")) ? JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject() : [];
            config["versionPolicy"] = new JsonObject { ["all"] = true };
            File.WriteAllText(Path.Combine(root, model, "config.json"), config.ToJsonString());
            var labels = config["labels"]?.AsArray().Select(l => l!.GetValue<string>()).ToArray();
            var input = reference.Inputs[0]!;
            var shape = input["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            var features = config["features"]?.AsArray().Select(f => f!.GetValue<string>()).ToArray()
                ?? [.. Enumerable.Range(0, shape[1]).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            var data = ReferenceFile.Flatten(input["data"]);
            var lines = Enumerable.Range(0, shape[0]).Select(r => string.Join(',', data.AsSpan(r * shape[1], shape[1]).ToArray().Select(WineSample.Cell))).ToList();
            var csv = TableFiles.WriteCsv(string.Join(',', features.Select(WineSample.Quote)), lines, lines.Count);

            foreach (var version in Directory.GetDirectories(folder).Select(Path.GetFileName).Where(v => long.TryParse(v, out _)).Order(StringComparer.Ordinal))
            {
                var output = TableFiles.TempPath(".csv");
                (await CliRun.InvokeAsync("score", "--repo", root, "--model", model, "--version", version!, "--input", csv, "--output", output, "--batch-size", "3")).Expect(0);
                var (header, rows) = TableFiles.ReadCsv(output);
                Assert.Equal(shape[0], rows.Count);
                foreach (var expected in reference.OutputsFor(version == "1" && model == "breast-cancer-logreg" ? "1" : null))
                {
                    var name = expected!["name"]!.GetValue<string>();
                    var datatype = expected["datatype"]!.GetValue<string>();
                    var expectedShape = expected["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                    var got = Decode(header, rows, name, datatype, expectedShape, labels);
                    reference.AssertClose($"{model}/{version} {name}", datatype, ReferenceFile.Flatten(expected["data"]), got);
                }

                checkedVersions.Add($"{model}/{version}");
            }
        }

        Assert.True(checkedVersions.Count >= 6, "only " + string.Join(", ", checkedVersions));
    }

    [SharedModelsFact]
    public async Task Score_ModelsWhoseInputsAreNotATable_AreRefusedWithAReason()
    {
        var root = SharedModelRepository.RequiredRoot;
        var csv = TableFiles.WriteCsv("a,b", ["1,2"], 1);
        foreach (var model in NotTables)
        {
            var run = (await CliRun.InvokeAsync("score", "--repo", root, "--model", model, "--input", csv, "--output", TableFiles.TempPath(".csv"))).Expect(1);
            Assert.Contains($"model '{model}' does not take a table", run.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>Reads an output's values back from its prediction columns, as the CLI names them.</summary>
    private static double[] Decode(string[] header, List<string[]> rows, string name, string datatype, int[] shape, string[]? labels)
    {
        var width = shape.Length == 1 ? 1 : shape[1];
        string[] columns = shape.Length == 1
            ? [labels is not null && datatype.StartsWith("INT", StringComparison.Ordinal) ? "label" : name]
            : width == 1 ? [name]
            : labels is not null && labels.Length == width && datatype.StartsWith("FP", StringComparison.Ordinal) ? [.. labels.Select(l => "probability_" + l)]
            : [.. Enumerable.Range(0, width).Select(j => $"{name}_{j}")];
        var values = new List<double>();
        foreach (var row in rows)
        {
            foreach (var column in columns)
            {
                var index = Array.IndexOf(header, column);
                Assert.True(index >= 0, $"no column '{column}' in {string.Join(',', header)}");
                var cell = row[index];
                values.Add(labels is not null && column == "label" ? Array.IndexOf(labels, cell) : double.Parse(cell, CultureInfo.InvariantCulture));
            }
        }

        return [.. values];
    }
}
