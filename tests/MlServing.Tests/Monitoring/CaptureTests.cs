using System.Diagnostics;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Monitoring;

/// <summary>Data capture: sampled requests and answers as rotated JSON Lines, redacted features null, written off the request path.</summary>
[Collection(ServerCollection.Name)]
public sealed class CaptureTests
{
    private static string[] CaptureFiles(string directory) => Directory.GetFiles(directory, "capture*.jsonl");

    private static List<JsonNode> Lines(string directory) =>
        [.. CaptureFiles(directory).SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!)];

    [Fact]
    public async Task CaptureAtRateOne_WritesEveryAnsweredRequestOnce_InRotatedFiles_WithRedactedFeaturesNull()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository(withProfile: false, config: c => c.Replace("\"features\":", "\"redact\": [\"proline\"],\n  \"features\":", StringComparison.Ordinal));
        var directory = Path.Combine(repo.Path, "capture");
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?>
        {
            ["MlServing:Monitoring:Capture:SampleRate"] = "1",
            ["MlServing:Monitoring:Capture:Path"] = Path.Combine(directory, "capture.jsonl"),
            ["MlServing:Monitoring:Capture:MaxFileBytes"] = "8192",
            ["MlServing:Monitoring:Capture:MaxFiles"] = "50",
            ["MlServing:Monitoring:Capture:RedactFeatures:0"] = "alcohol",
        });
        var client = await factory.StartAsync();

        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var response = await client.PostJsonAsync("/predict", WineModel.PredictBody(data.Rows.Skip(i * 3).Take(3)));
            await response.ExpectAsync(200);
            ids.Add(response.Headers.GetValues("X-Request-Id").Single());
        }

        await (await client.PostJsonAsync("/predict", """{"model":"wine-classifier","instances":[[1]]}""")).ExpectAsync(400);
        await Eventually.TrueAsync(() => Lines(directory).Count >= ids.Count, "every answered request to be written");

        var lines = Lines(directory);
        Assert.True(CaptureFiles(directory).Length > 1, "the 8 KiB files were never rotated");
        Assert.Equal(ids.Order(StringComparer.Ordinal), lines.Select(l => (string)l["requestId"]!).Order(StringComparer.Ordinal));
        foreach (var line in lines)
        {
            Assert.Equal(WineModel.Name, (string)line["model"]!);
            Assert.Equal("1", (string)line["version"]!);
            Assert.True(DateTimeOffset.TryParse((string)line["time"]!, System.Globalization.CultureInfo.InvariantCulture, out _));
            Assert.True((double)line["durationMs"]! >= 0);
            var inputs = line["inputs"]!.AsArray();
            var outputs = line["outputs"]!.AsArray();
            Assert.Equal(3, inputs.Count);
            Assert.Equal(3, outputs.Count);
            foreach (var row in inputs)
            {
                Assert.Null(row!["alcohol"]);
                Assert.Null(row["proline"]);
                Assert.True(row.AsObject().ContainsKey("alcohol") && row.AsObject().ContainsKey("proline"), "redacted features are written as null, not left out");
                Assert.Equal(System.Text.Json.JsonValueKind.Number, row["malic_acid"]!.GetValueKind());
                Assert.Equal(13, row.AsObject().Count);
            }

            Assert.All(outputs, o => Assert.Contains((string)o!["label"]!, WineModel.Labels));
            Assert.Equal(3, outputs[0]!["probabilities"]!.AsArray().Count);
        }

        // The captured rows are the rows that were sent, in order.
        var first = lines.Single(l => (string)l["requestId"]! == ids[0]);
        Assert.Equal((float)data.Rows[0][1], (float)(double)first["inputs"]![0]!["malic_acid"]!);
    }

    [Fact]
    public async Task ASinkThatCannotKeepUp_DropsAndCountsRecords_WhileEveryRequestIsAnswered()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository(withProfile: false);
        var fifo = Path.Combine(repo.Path, "capture.jsonl");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, mkfifo.ExitCode);
        }

        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?>
        {
            ["MlServing:Monitoring:Capture:SampleRate"] = "1",
            ["MlServing:Monitoring:Capture:Path"] = fifo,
            ["MlServing:Monitoring:Capture:QueueSize"] = "4",
        });
        var client = await factory.StartAsync();
        Task<int>? drain = null;
        try
        {
            // Nobody reads the pipe: the writer is stuck opening it, the queue fills, and the answers do not wait.
            for (var i = 0; i < 40; i++)
            {
                await (await client.PostJsonAsync("/predict", WineModel.PredictBody(data.Rows.Skip(i).Take(2))).WaitAsync(TimeSpan.FromSeconds(30))).ExpectAsync(200);
            }

            var metrics = await PrometheusText.ScrapeAsync(client);
            Assert.InRange(PrometheusText.Sample(metrics, "mlserving_capture_dropped_total", ("model", WineModel.Name)), 40 - 4 - 1, 40);
        }
        finally
        {
            // A reader unblocks the writer so the host can stop; it sees what was queued.
            drain = Task.Run(async () =>
            {
                await using var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read);
                using var text = new StreamReader(reader);
                return (await text.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            });
            await factory.DisposeAsync();
        }

        Assert.InRange(await drain.WaitAsync(TimeSpan.FromSeconds(30)), 1, 5);
    }
}
