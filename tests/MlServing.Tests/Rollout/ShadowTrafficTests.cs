using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlServing.Tests.Rollout;

/// <summary>Shadow copies: answers compared and counted, never returned; a slow or full shadow never delays or fails the primary.</summary>
[Collection(ServerCollection.Name)]
public sealed class ShadowTrafficTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly Dictionary<string, string?> NoCache = new() { ["MlServing:Cache:Provider"] = "none" };
    private readonly ITestOutputHelper _output;

    public ShadowTrafficTests(ITestOutputHelper output) => _output = output;

    private static (string Label, string Value)[] Shadow(string result) =>
        [("model", "m"), ("version", "1"), ("shadow_version", "2"), ("result", result)];

    private static string Body(int i) => string.Create(CultureInfo.InvariantCulture, $$"""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[{{i}},1]}]}""");

    [Fact]
    public async Task AFrozenShadow_NeverDelaysThePrimary_FullQueueCopiesAreDropped_AndTheRestAgree()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1, 2).WithConfig("m", """
            {"versionPolicy":{"all":true},"batching":{"maxQueueSize":4},
             "traffic":{"split":{"1":100},"shadow":{"version":"2","percent":100}}}
            """);
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();
        var (entered, release) = BatchGate.FreezeFirstBatch(BatchGate.BatcherOf(factory.Repository.Find("m", "2").Version!.Pipeline));

        // The shadow's runner is frozen for the whole loop: a primary that waited for its shadow would never answer.
        var withShadow = new List<double>();
        for (var i = 0; i < 60; i++)
        {
            withShadow.Add(await TimedAsync(client, i));
        }

        await entered.Task.WaitAsync(Timeout);
        var scrape = await client.GetStringAsync("/metrics").WaitAsync(Timeout);
        var dropped = PrometheusText.Sample(scrape, "mlserving_shadow_requests_total", Shadow("dropped"));
        Assert.InRange(dropped, 60 - 1 - 4, 60);

        release.SetResult();
        await Eventually.TrueAsync(
            () => PrometheusText.Sample(client.GetStringAsync("/metrics").Result, "mlserving_shadow_requests_total", Shadow("agree")) == 60 - dropped,
            "the held copies to finish and agree");

        // The primary's latency with the shadow frozen again against no shadow at all, in alternating blocks of the same
        // run (after the loop above warmed everything up). Reported, not asserted: a unit test is no place for a clock
        // threshold; the guarantee asserted is that no primary ever waited for its shadow (above).
        var (frozen, unfreeze) = BatchGate.FreezeFirstBatch(BatchGate.BatcherOf(factory.Repository.Find("m", "2").Version!.Pipeline));
        await client.PostJsonAsync("/v2/models/m/infer", Body(0)).WaitAsync(Timeout);
        await frozen.Task.WaitAsync(Timeout);
        withShadow.Clear();
        var withoutShadow = new List<double>();
        for (var block = 0; block < 6; block++)
        {
            var shadowOn = block % 2 == 0;
            var policy = shadowOn ? """{"split":{"1":100},"shadow":{"version":"2","percent":100}}""" : """{"split":{"1":100}}""";
            await (await client.PutAsync("/v2/repository/models/m/traffic", new StringContent(policy, System.Text.Encoding.UTF8, "application/json")).WaitAsync(Timeout)).ExpectAsync(200);
            for (var i = 0; i < 30; i++)
            {
                (shadowOn ? withShadow : withoutShadow).Add(await TimedAsync(client, i));
            }
        }

        unfreeze.SetResult();
        _output.WriteLine($"primary median latency with a frozen shadow / without: {Median(withShadow):F3} ms / {Median(withoutShadow):F3} ms = {Median(withShadow) / Median(withoutShadow):F2}");
    }

    [SharedModelsFact]
    public async Task AShadowThatAnswersDifferently_CountsDisagree_AndTheClientGetsThePrimarysAnswer()
    {
        using var repo = new TestRepository().AddModelFolder(SharedModelRepository.RequiredRoot, "breast-cancer-logreg", "m");
        File.WriteAllText(Path.Combine(repo.Path, "m", "config.json"), new JsonObject
        {
            ["versionPolicy"] = new JsonObject { ["all"] = true },
            ["traffic"] = JsonNode.Parse("""{"split":{"1":100},"shadow":{"version":"2","percent":100}}"""),
        }.ToJsonString());
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();
        var reference = ReferenceFile.Load(Path.Combine(SharedModelRepository.RequiredRoot, "breast-cancer-logreg", "reference.json"));
        var request = new JsonObject { ["inputs"] = JsonNode.Parse(reference.Inputs.ToJsonString()) };

        var body = await (await client.PostJsonAsync("/v2/models/m/infer", request).WaitAsync(Timeout)).ExpectAsync(200);

        Assert.Equal("1", body["model_version"]!.GetValue<string>());
        var expected = reference.OutputsFor("1").Single(o => o!["name"]!.GetValue<string>() == "probabilities")!;
        var actual = body["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "probabilities")!;
        reference.AssertClose("v1 probabilities", "FP32", ReferenceFile.Flatten(expected["data"]), ReferenceFile.Flatten(actual["data"]));
        await Eventually.TrueAsync(
            () => PrometheusText.Sample(client.GetStringAsync("/metrics").Result, "mlserving_shadow_requests_total", Shadow("disagree")) == 1,
            "the shadow copy to be compared");
        Assert.Equal(0, PrometheusText.Sample(await client.GetStringAsync("/metrics").WaitAsync(Timeout), "mlserving_shadow_requests_total", Shadow("agree")));
    }

    private static async Task<double> TimedAsync(HttpClient client, int i)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await client.PostJsonAsync("/v2/models/m/infer", Body(i)).WaitAsync(Timeout);
        var body = await response.ExpectAsync(200);
        Assert.Equal("1", body["model_version"]!.GetValue<string>());
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
