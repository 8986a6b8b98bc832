using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MlServing.Inference.Batching;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Batching;

/// <summary>The batcher behind the real HTTP pipeline: concurrency, queue-full, deadlines, cancellation.</summary>
[Collection(ServerCollection.Name)]
public sealed class BatchingHttpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static (TaskCompletionSource Entered, TaskCompletionSource Release) Freeze(MlServingFactory factory, string model) =>
        BatchGate.FreezeFirstBatch(Pipeline(factory, model));

    private static BatchingPipeline Pipeline(MlServingFactory factory, string model) =>
        BatchGate.BatcherOf(factory.Repository.Find(model, null).Version!.Pipeline);

    /// <summary>The queue tests repeat inputs on purpose: without the cache every one of them reaches the batcher.</summary>
    private static readonly Dictionary<string, string?> NoCache = new() { ["MlServing:Cache:Provider"] = "none" };

    private static string Fp64Body(double a, double b) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"model":"fp64-regressor","instances":[[{{a}},{{b}}]]}""");

    [Fact]
    public async Task ManyConcurrentClients_OnSeveralModels_EachGetTheirOwnRows()
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor").AddFixture("int64-math").AddFixture("multi-input")
            .AddModelFolder(TestRepository.SamplesPath, "wine-classifier");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        var wineRow = ReferenceFile.Flatten(ReferenceFile.Load(Path.Combine(TestRepository.SamplesPath, "wine-classifier", "reference.json")).Inputs[0]!["data"]).Take(13).ToArray();
        var wineExpected = (await (await client.PostJsonAsync("/predict", new JsonObject { ["model"] = "wine-classifier", ["instances"] = new JsonArray(new JsonArray([.. wineRow.Select(v => (JsonNode?)v)])) })).ExpectAsync(200))["predictions"]![0]!.ToJsonString();

        async Task ClientAsync(int id)
        {
            for (var i = 0; i < 6; i++)
            {
                var n = (id * 100) + i;
                switch (i % 4)
                {
                    case 0:
                        var y = await (await client.PostJsonAsync("/predict", Fp64Body(n, -n / 2.0))).ExpectAsync(200);
                        Assert.Equal((2.0 * n) - (1.5 * n) + 0.5, y["predictions"]![0]!["y"]![0]!.GetValue<double>());
                        break;
                    case 1:
                        var body = $$"""{"inputs":[{"name":"x","shape":[2,3],"datatype":"INT64","data":[[{{n}},1,2],[3,{{-n}},5]]}]}""";
                        var ints = await (await client.PostJsonAsync("/v2/models/int64-math/infer", body)).ExpectAsync(200);
                        var doubled = ints["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "doubled")!["data"]!.AsArray().Select(v => v!.GetValue<long>());
                        Assert.Equal([2L * n, 2, 4, 6, -2L * n, 10], doubled);
                        break;
                    case 2:
                        var multi = await (await client.PostJsonAsync("/predict", $$"""{"model":"multi-input","instances":[{"a":[{{n}},1,2],"b":[1,{{n}},3]}]}""")).ExpectAsync(200);
                        Assert.Equal($"[{n + 1},{n + 1},5]", multi["predictions"]![0]!["sum"]!.ToJsonString());
                        break;
                    default:
                        var wine = await (await client.PostJsonAsync("/predict", new JsonObject { ["model"] = "wine-classifier", ["instances"] = new JsonArray(new JsonArray([.. wineRow.Select(v => (JsonNode?)v)])) })).ExpectAsync(200);
                        Assert.Equal(wineExpected, wine["predictions"]![0]!.ToJsonString());
                        break;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(1, 80).Select(ClientAsync)).WaitAsync(Timeout);
        Assert.All(["fp64-regressor", "int64-math", "multi-input", "wine-classifier"], m => Assert.Equal(0, Pipeline(factory, m).QueuedRows));
    }

    [Theory]
    [InlineData(null, 429)]
    [InlineData("503", 503)]
    public async Task FullQueue_AnswersAtOnceWithRetryAfterAndAReason(string? configured, int expected)
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor").WithConfig("fp64-regressor", """{ "batching": { "maxQueueSize": 2 } }""");
        await using var factory = new MlServingFactory(repo.Path, configured is null ? NoCache : new Dictionary<string, string?>(NoCache) { ["MlServing:Serving:QueueFullStatusCode"] = configured });
        var client = await factory.StartAsync();
        var (entered, release) = Freeze(factory, "fp64-regressor");

        var head = client.PostJsonAsync("/predict", Fp64Body(1, 1));
        await entered.Task.WaitAsync(Timeout);
        var queued = client.PostJsonAsync("/predict", """{"model":"fp64-regressor","instances":[[1,2],[3,4]]}""");
        await Eventually.TrueAsync(() => Pipeline(factory, "fp64-regressor").QueuedRows == 2, "two queued rows");

        var rejected = await client.PostJsonAsync("/predict", Fp64Body(5, 5)).WaitAsync(Timeout);
        var v2Rejected = await client.PostJsonAsync("/v2/models/fp64-regressor/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1,2]}]}""").WaitAsync(Timeout);
        release.SetResult();

        Assert.Equal(expected, (int)rejected.StatusCode);
        Assert.Equal("1", rejected.Headers.GetValues("Retry-After").Single());
        Assert.Contains("queue", (await rejected.ReadJsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(expected, (int)v2Rejected.StatusCode);
        Assert.Contains("queue", (await v2Rejected.ReadJsonAsync())["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await head.WaitAsync(Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued.WaitAsync(Timeout)).StatusCode);
    }

    [Fact]
    public async Task Deadline_PassingInTheQueue_Answers504_ForBothApis()
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor");
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();
        var (entered, release) = Freeze(factory, "fp64-regressor");
        var head = client.PostJsonAsync("/predict", Fp64Body(1, 1));
        await entered.Task.WaitAsync(Timeout);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new StringContent(Fp64Body(2, 2), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Request-Timeout-Ms", "50");
        var viaHeader = await client.SendAsync(request).WaitAsync(Timeout);
        var viaParameter = await client.PostJsonAsync(
            "/v2/models/fp64-regressor/infer",
            """{"parameters":{"timeout":50000},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1,2]}]}""").WaitAsync(Timeout);
        release.SetResult();

        Assert.Equal(504, (int)viaHeader.StatusCode);
        Assert.Equal(504, (int)viaParameter.StatusCode);
        Assert.Contains("deadline", (await viaParameter.ReadJsonAsync())["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await head.WaitAsync(Timeout)).StatusCode);
        Assert.Equal(0, Pipeline(factory, "fp64-regressor").QueuedRows);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("soon")]
    public async Task Deadline_HeaderThatIsNotAPositiveNumber_Is400NamingIt(string value)
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new StringContent(Fp64Body(2, 2), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Request-Timeout-Ms", value);

        var body = await (await client.SendAsync(request)).ExpectAsync(400);

        Assert.NotNull(body["errors"]!["X-Request-Timeout-Ms"]);
    }

    [Fact]
    public async Task CancelledClientRequest_LeavesTheQueueWithoutRunning()
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor");
        await using var factory = new MlServingFactory(repo.Path, NoCache);
        var client = await factory.StartAsync();
        var model = factory.Repository.Find("fp64-regressor", null).Version!;
        var before = model.Metrics.BatchSize.Sum;
        var (entered, release) = Freeze(factory, "fp64-regressor");
        var head = client.PostJsonAsync("/predict", Fp64Body(1, 1));
        await entered.Task.WaitAsync(Timeout);

        using var cts = new CancellationTokenSource();
        var abandoned = client.PostAsync("/predict", new StringContent("""{"model":"fp64-regressor","instances":[[1,2],[3,4],[5,6]]}""", System.Text.Encoding.UTF8, "application/json"), cts.Token);
        await Eventually.TrueAsync(() => Pipeline(factory, "fp64-regressor").QueuedRows == 3, "three queued rows");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Timeout));
        await Eventually.TrueAsync(() => Pipeline(factory, "fp64-regressor").QueuedRows == 0, "the cancelled rows to leave the queue");
        release.SetResult();

        Assert.Equal(HttpStatusCode.OK, (await head.WaitAsync(Timeout)).StatusCode);
        Assert.Equal(before + 1, model.Metrics.BatchSize.Sum);
    }
}
