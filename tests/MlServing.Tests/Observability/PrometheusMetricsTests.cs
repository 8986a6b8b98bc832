using System.Diagnostics;
using System.Text.RegularExpressions;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Observability;

/// <summary>/metrics carries every instrument of docs/OBSERVABILITY.md, counts what really happened, and passes promtool.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class PrometheusMetricsTests
{
    private static readonly string[] DesignNames =
    [
        "mlserving_inference_requests_total", "mlserving_request_duration_seconds", "mlserving_queue_duration_seconds",
        "mlserving_compute_duration_seconds", "mlserving_batch_size", "mlserving_queue_depth", "mlserving_cache_lookups_total",
        "mlserving_model_ready",
    ];

    private static double Sample(string text, string name, params (string Label, string Value)[] labels) => PrometheusText.Sample(text, name, labels);

    private static Task<string> ScrapeAsync(HttpClient client) => PrometheusText.ScrapeAsync(client);

    [Fact]
    public async Task Metrics_CountRequestsByOutcome_AndTheBatchesThatRan()
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor", "m").WithFile(Path.Combine("broken", "1", "model.onnx"), [1, 2]);
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:Readiness:Strict"] = "false" });
        var client = await factory.StartAsync();
        (string, string) M = ("model", "m"), V = ("version", "1");
        var before = await ScrapeAsync(client);

        await (await client.PostJsonAsync("/predict", """{"model":"m","instances":[[1,2],[3,4],[5,6]]}""")).ExpectAsync(200);
        await (await client.PostJsonAsync("/v2/models/m/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[7,8]}]}""")).ExpectAsync(200);
        await (await client.PostJsonAsync("/predict", """{"model":"m","instances":[[1]]}""")).ExpectAsync(400);
        await (await client.PostJsonAsync("/predict", """{"model":"no-such-model-12345","instances":[[1]]}""")).ExpectAsync(404);

        // Requests are counted once their response is complete, which the client can see a moment earlier.
        var after = string.Empty;
        await Eventually.TrueAsync(
            () =>
            {
                after = ScrapeAsync(client).GetAwaiter().GetResult();
                return Sample(after, "mlserving_request_duration_seconds_count", M, V) - Sample(before, "mlserving_request_duration_seconds_count", M, V) >= 3
                    && Sample(after, "mlserving_inference_requests_total", ("model", ""), ("protocol", "predict"), ("outcome", "not_found")) > Sample(before, "mlserving_inference_requests_total", ("model", ""), ("protocol", "predict"), ("outcome", "not_found"));
            },
            "the four requests to be counted");

        double Delta(string name, params (string, string)[] labels) => Sample(after, name, labels) - Sample(before, name, labels);
        Assert.Equal(1, Delta("mlserving_inference_requests_total", M, V, ("protocol", "predict"), ("outcome", "success")));
        Assert.Equal(1, Delta("mlserving_inference_requests_total", M, V, ("protocol", "v2"), ("outcome", "success")));
        Assert.Equal(1, Delta("mlserving_inference_requests_total", M, V, ("protocol", "predict"), ("outcome", "invalid")));
        Assert.Equal(1, Delta("mlserving_inference_requests_total", ("model", ""), ("version", ""), ("protocol", "predict"), ("outcome", "not_found")));
        Assert.DoesNotContain("no-such-model-12345", after, StringComparison.Ordinal);
        Assert.Equal(3, Delta("mlserving_request_duration_seconds_count", M, V));
        Assert.Equal(2, Delta("mlserving_batch_size_count", M, V));
        Assert.Equal(4, Delta("mlserving_batch_size_sum", M, V));
        Assert.Equal(2, Delta("mlserving_compute_duration_seconds_count", M, V));
        Assert.Equal(2, Delta("mlserving_queue_duration_seconds_count", M, V));
        Assert.Equal(1, Sample(after, "mlserving_model_ready", M, V));
        Assert.Equal(0, Sample(after, "mlserving_model_ready", ("model", "broken"), V));
        Assert.Contains("mlserving_model_ready{model=\"broken\",version=\"1\"} 0", after, StringComparison.Ordinal);
        Assert.Equal(0, Sample(after, "mlserving_queue_depth", M, V));
        Assert.Equal(4, Sample(after, "mlserving_cache_lookups_total", M, V, ("result", "miss")) - Sample(before, "mlserving_cache_lookups_total", M, V, ("result", "miss")));
        foreach (var result in new[] { "hit", "miss", "error" })
        {
            Assert.Contains($"mlserving_cache_lookups_total{{model=\"m\",version=\"1\",result=\"{result}\"}}", after, StringComparison.Ordinal);
        }

        foreach (var outcome in new[] { "success", "invalid", "not_found", "rejected", "timeout", "error" })
        {
            Assert.Contains($"protocol=\"v2\",outcome=\"{outcome}\"", after, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_HaveEveryDesignName_FineBuckets_OneSourceOfHttpMetrics_AndPassPromtool()
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor", "m");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        await (await client.PostJsonAsync("/predict", """{"model":"m","instances":[[1,2]]}""")).ExpectAsync(200);
        var text = await ScrapeAsync(client);

        foreach (var name in DesignNames)
        {
            Assert.Contains($"# TYPE {name} ", text, StringComparison.Ordinal);
            Assert.Contains($"# HELP {name} ", text, StringComparison.Ordinal);
        }

        Assert.Contains("# TYPE mlserving_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("mlserving_request_duration_seconds_bucket{model=\"m\",version=\"1\",protocol=\"predict\",le=\"5e-05\"}", text, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Matches(RuntimeMetric(), text);
        Assert.DoesNotMatch(AspNetCoreMeters(), text);

        var file = Path.Combine(Path.GetTempPath(), $"mlserving-metrics-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, text);
        try
        {
            var info = new ProcessStartInfo("promtool") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            info.ArgumentList.Add("check");
            info.ArgumentList.Add("metrics");
            Process promtool;
            try
            {
                promtool = Process.Start(info)!;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new Xunit.Sdk.XunitException("promtool is not installed (Debian package 'prometheus'; ./test.sh installs it): " + ex.Message);
            }

            using (promtool)
            {
                await promtool.StandardInput.WriteAsync(text);
                promtool.StandardInput.Close();
                var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
                await promtool.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(promtool.ExitCode == 0 && output.Trim().Length == 0, "promtool check metrics:\n" + output);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"^(dotnet|process)_\w+", RegexOptions.Multiline)]
    private static partial Regex RuntimeMetric();

    [GeneratedRegex(@"^(http_server_request_duration|kestrel_|aspnetcore_|http_server_active_requests)", RegexOptions.Multiline)]
    private static partial Regex AspNetCoreMeters();
}
