using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Inference.Repository;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Rollout;

/// <summary>Traffic policies through the real pipeline: weighted split, sticky routing, aliases, runtime changes, a loading canary.</summary>
[Collection(ServerCollection.Name)]
public sealed class TrafficPolicyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly Dictionary<string, string?> NoCache = new() { ["MlServing:Cache:Provider"] = "none" };

    private static TestRepository TwoVersions(string traffic) =>
        new TestRepository().AddFixture("identity-fp32", "m", 1, 2)
            .WithConfig("m", $$"""{"versionPolicy":{"all":true},"aliases":{"stable":1,"canary":2},"traffic":{{traffic}}}""");

    private static string Body(int i) => string.Create(CultureInfo.InvariantCulture, $$"""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[{{i}},1]}]}""");

    private static async Task<string> AnsweringVersionAsync(HttpClient client, string path, string body, string? stickyValue = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (stickyValue is not null)
        {
            request.Headers.Add("X-Routing-Key", stickyValue);
        }

        using var response = await client.SendAsync(request).WaitAsync(Timeout);
        var json = await response.ExpectAsync(200);
        var header = Assert.Single(response.Headers.GetValues("X-Model-Version"));
        Assert.Equal(header, (json["model_version"] ?? json["version"])!.GetValue<string>());
        return header;
    }

    [Fact]
    public async Task WeightedSplit_Over5000Requests_IsWithin3PointsOfTheWeights_OnBothApis()
    {
        using var repo = TwoVersions("""{"split":{"stable":80,"canary":20}}""");
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();

        var onTwo = 0;
        for (var i = 0; i < 5000; i++)
        {
            var version = i % 2 == 0
                ? await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(i))
                : await AnsweringVersionAsync(client, "/predict", $$"""{"model":"m","instances":[[{{i}},1]]}""");
            onTwo += version == "2" ? 1 : 0;
        }

        Assert.InRange(onTwo / 50.0, 17.0, 23.0);
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(Timeout);
        Assert.Contains("mlserving_traffic_weight{model=\"m\",version=\"1\"} 80", metrics, StringComparison.Ordinal);
        Assert.Contains("mlserving_traffic_weight{model=\"m\",version=\"2\"} 20", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StickyHeader_1000Keys_EachAlwaysOnOneVersion_AndAboutTheWeightedShareOfKeysOnEach()
    {
        using var repo = TwoVersions("""{"split":{"1":70,"2":30},"stickyHeader":"X-Routing-Key"}""");
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();

        var keysOnTwo = 0;
        for (var key = 0; key < 1000; key++)
        {
            var value = "user-" + key.ToString(CultureInfo.InvariantCulture);
            var first = await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(key), value);
            for (var again = 0; again < 3; again++)
            {
                Assert.Equal(first, await AnsweringVersionAsync(client, again % 2 == 0 ? "/v2/models/m/infer" : "/predict", again % 2 == 0 ? Body(again) : """{"model":"m","instances":[[1,2]]}""", value));
            }

            keysOnTwo += first == "2" ? 1 : 0;
        }

        Assert.InRange(keysOnTwo / 10.0, 25.0, 35.0);
    }

    [Fact]
    public async Task NamingAVersionOrAlias_BypassesTheSplit_AndTheHeaderIsTheNumber()
    {
        using var repo = TwoVersions("""{"split":{"1":100,"2":0}}""");
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();

        Assert.Equal("1", await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(1)));
        Assert.Equal("2", await AnsweringVersionAsync(client, "/v2/models/m/versions/canary/infer", Body(1)));
        Assert.Equal("2", await AnsweringVersionAsync(client, "/v2/models/m/versions/2/infer", Body(1)));
        Assert.Equal("2", await AnsweringVersionAsync(client, "/predict", """{"model":"m","version":"canary","instances":[[1,2]]}"""));
        Assert.Equal("1", await AnsweringVersionAsync(client, "/predict", """{"model":"m","version":"stable","instances":[[1,2]]}"""));
        var metadata = await (await client.GetAsync("/v2/models/m/versions/canary").WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal("""["2"]""", metadata["versions"]!.ToJsonString());

        var unknown = await (await client.PostJsonAsync("/v2/models/m/versions/beta/infer", Body(1)).WaitAsync(Timeout)).ExpectAsync(404);
        Assert.Contains("'beta'", unknown["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Traffic_SetAtRunTime_HoldsUntilDeleted_AndBadPoliciesAre400NamingTheField()
    {
        using var repo = TwoVersions("""{"split":{"1":100}}""");
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();

        var put = await client.PutAsync("/v2/repository/models/m/traffic", new StringContent("""{"split":{"canary":100}}""", System.Text.Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        Assert.Equal("""{"split":{"canary":100}}""", (await put.ExpectAsync(200)).ToJsonString());
        Assert.Equal("""{"split":{"canary":100}}""", (await (await client.GetAsync("/v2/repository/models/m/traffic").WaitAsync(Timeout)).ExpectAsync(200)).ToJsonString());
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("2", await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(i)));
        }

        Assert.Contains("mlserving_traffic_weight{model=\"m\",version=\"2\"} 100", await client.GetStringAsync("/metrics").WaitAsync(Timeout), StringComparison.Ordinal);

        foreach (var (body, field) in new[]
        {
            ("""{"split":{"7":1}}""", "split.7"),
            ("""{"split":{"1":0,"2":0}}""", "split"),
            ("""{"split":{"1":-1}}""", "split.1"),
            ("""{"shadow":{"version":"9","percent":10}}""", "shadow.version"),
            ("""{"shadow":{"version":"2","percent":150}}""", "shadow.percent"),
            ("""{"splits":{"1":1}}""", "splits"),
            ("""[1,2]""", "body"),
        })
        {
            var response = await client.PutAsync("/v2/repository/models/m/traffic", new StringContent(body, System.Text.Encoding.UTF8, "application/json")).WaitAsync(Timeout);
            var message = (await response.ExpectAsync(400))["error"]!.GetValue<string>();
            Assert.Contains(field, message);
        }

        Assert.Equal("2", await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(1)));
        var deleted = await (await client.DeleteAsync("/v2/repository/models/m/traffic").WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal("""{"split":{"1":100}}""", deleted.ToJsonString());
        Assert.Equal("1", await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(1)));

        var missing = await client.PutAsync("/v2/repository/models/nope/traffic", new StringContent("""{"split":{"1":1}}""", System.Text.Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        await missing.ExpectAsync(404);
    }

    [Fact]
    public async Task ACanaryWhoseWarmupIsHeldBack_GetsNoTraffic_AndNobodyGetsA503()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1)
            .WithConfig("m", """{"versionPolicy":{"all":true},"traffic":{"split":{"1":50,"2":50}}}""");
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();
        using var held = new ManualResetEventSlim();
        using var reached = new ManualResetEventSlim();
        factory.Services.GetRequiredService<ModelVersionLoader>().BeforeWarmup = (model, version) =>
        {
            if (version == 2)
            {
                reached.Set();
                held.Wait(Timeout);
            }
        };

        repo.AddFixture("identity-fp32", "m", 2);
        var load = client.PostAsync("/v2/repository/models/m/load", null);
        Assert.True(await Task.Run(() => reached.Wait(Timeout)), "the canary's warm-up was not reached");

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal("1", await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(i)));
        }

        var index = await (await client.PostAsync("/v2/repository/index", null).WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Contains(index.AsArray(), row => row!["version"]?.GetValue<string>() == "2" && row["state"]!.GetValue<string>() == "LOADING");

        held.Set();
        (await load.WaitAsync(Timeout)).EnsureSuccessStatusCode();
        var versions = new HashSet<string>();
        for (var i = 0; i < 200 && versions.Count < 2; i++)
        {
            versions.Add(await AnsweringVersionAsync(client, "/v2/models/m/infer", Body(i)));
        }

        Assert.Equal(["1", "2"], versions.Order());
    }
}
