using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Inference.Redis;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Monitoring;

/// <summary>Request ids on every response, and ground truth joined to stored predictions by them (memory and a real Redis).</summary>
[Collection(ServerCollection.Name)]
public sealed class FeedbackTests
{
    private static readonly (string, string) Model = ("model", WineModel.Name);

    private static async Task<(string Id, string[] Labels)> PredictAsync(HttpClient client, IEnumerable<double[]> rows, string? id = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new StringContent(WineModel.PredictBody(rows), System.Text.Encoding.UTF8, "application/json") };
        if (id is not null)
        {
            request.Headers.Add("X-Request-Id", id);
        }

        var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        var body = await response.ExpectAsync(200);
        var labels = body["predictions"]!.AsArray().Select(p => (string)p!["label"]!).ToArray();
        return (response.Headers.GetValues("X-Request-Id").Single(), labels);
    }

    private static Task<HttpResponseMessage> FeedbackAsync(HttpClient client, JsonObject body, string model = WineModel.Name) =>
        client.PostJsonAsync($"/v2/models/{model}/feedback", body).WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task EveryResponse_CarriesARequestId_TheClientsOwnIsKept_AndAnOipIdBecomesTheHeader()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository(withProfile: false);
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var (generated, _) = await PredictAsync(client, data.Rows.Take(1));
        Assert.Matches("^[0-9a-f]{32}$", generated);
        Assert.Equal("client-id-1", (await PredictAsync(client, data.Rows.Take(1), "client-id-1")).Id);

        using var oip = new HttpRequestMessage(HttpMethod.Post, "/v2/models/wine-classifier/infer")
        {
            Content = new StringContent($$"""{"id":"oip-7","inputs":[{"name":"input","shape":[1,13],"datatype":"FP32","data":[{{string.Join(',', data.Rows[0])}}]}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        oip.Headers.Add("X-Request-Id", "ignored-when-the-body-has-an-id");
        var answered = await client.SendAsync(oip);
        Assert.Equal("oip-7", (string)(await answered.ExpectAsync(200))["id"]!);
        Assert.Equal("oip-7", answered.Headers.GetValues("X-Request-Id").Single());

        // Errors, other routes and a bad OIP id carry one too; an id that is not one is a 400 naming it.
        var missing = await client.PostJsonAsync("/v2/models/no-such-model/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Single(missing.Headers.GetValues("X-Request-Id"));
        Assert.Single((await client.GetAsync("/health/live")).Headers.GetValues("X-Request-Id"));
        var badId = await client.PostJsonAsync("/v2/models/wine-classifier/infer", "{\"id\":\"tab\\there\",\"inputs\":[]}");
        Assert.Contains("'id'", (string)(await badId.ExpectAsync(400))["error"]!, StringComparison.Ordinal);
        using var tooLong = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new StringContent(WineModel.PredictBody(data.Rows.Take(1)), System.Text.Encoding.UTF8, "application/json") };
        tooLong.Headers.Add("X-Request-Id", new string('x', 257));
        var rejected = await (await client.SendAsync(tooLong)).ExpectAsync(400);
        Assert.NotNull(rejected["errors"]!["X-Request-Id"]);
    }

    [Fact]
    public async Task Feedback_JoinsMultiRowRequestsAnsweredAcrossBatchesAndTheCache_AndAccuracyEqualsTheJoinedRows()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository(withProfile: false, config: c => c.Replace("\"maxBatchSize\": 64", "\"maxBatchSize\": 4", StringComparison.Ordinal));
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        // Concurrent 6-row requests with a batch of 4 rows: batches merge rows of several requests. Then requests that
        // reuse half of those rows: their rows come partly from the cache (earlier batches), partly from new batches.
        var first = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PredictAsync(client, data.Rows.Skip(i * 6).Take(6), $"first-{i}")));
        var second = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PredictAsync(client, data.Rows.Skip((i * 6) + 3).Take(6), $"second-{i}")));
        var before = await PrometheusText.ScrapeAsync(client);
        Assert.True(PrometheusText.Sample(before, "mlserving_cache_lookups_total", Model, ("result", "hit")) >= 40);

        // Truth: the training labels, with every fifth row deliberately wrong, as labels or as class indices.
        int correct = 0, total = 0;
        var requests = first.Select((r, i) => (r, Start: i * 6)).Concat(second.Select((r, i) => (r, Start: (i * 6) + 3))).ToArray();
        for (var q = 0; q < requests.Length; q++)
        {
            var ((id, predicted), start) = requests[q];
            var labels = new JsonArray();
            for (var r = 0; r < predicted.Length; r++)
            {
                var truth = (data.Targets[start + r] + (total % 5 == 0 ? 1 : 0)) % 3;
                labels.Add(q % 2 == 0 ? JsonValue.Create(WineModel.Labels[truth]) : JsonValue.Create(truth));
                correct += WineModel.Labels[truth] == predicted[r] ? 1 : 0;
                total++;
            }

            var joined = await (await FeedbackAsync(client, new JsonObject { ["id"] = id, ["labels"] = labels })).ExpectAsync(202);
            Assert.Equal(predicted.Length, (int)joined["rows"]!);
        }

        var after = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(correct, PrometheusText.Sample(after, "mlserving_feedback_total", Model, ("result", "correct")));
        Assert.Equal(total - correct, PrometheusText.Sample(after, "mlserving_feedback_total", Model, ("result", "incorrect")));
        Assert.Equal((double)correct / total, PrometheusText.Sample(after, "mlserving_model_accuracy", Model), 12);

        // A request's truth joins once; unknown ids are 404; a row count that does not match is a 400 naming the field.
        var again = await FeedbackAsync(client, new JsonObject { ["id"] = "first-0", ["labels"] = new JsonArray(0, 0, 0, 0, 0, 0) });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await FeedbackAsync(client, new JsonObject { ["id"] = "never-sent", ["labels"] = new JsonArray(0) })).StatusCode);
        var (fresh, _) = await PredictAsync(client, data.Rows.Take(2), "fresh");
        Assert.Equal(HttpStatusCode.NotFound, (await FeedbackAsync(client, new JsonObject { ["id"] = fresh, ["labels"] = new JsonArray(0, 0) }, "other-model")).StatusCode);
        Assert.Contains("labels", (string)(await (await FeedbackAsync(client, new JsonObject { ["id"] = fresh, ["labels"] = new JsonArray(0, 1, 2) })).ExpectAsync(400))["error"]!, StringComparison.Ordinal);
        Assert.Contains("labels[1]", (string)(await (await FeedbackAsync(client, new JsonObject { ["id"] = fresh, ["labels"] = new JsonArray(0, 1.5) })).ExpectAsync(400))["error"]!, StringComparison.Ordinal);
        Assert.Contains("labels", (string)(await (await FeedbackAsync(client, new JsonObject { ["id"] = fresh, ["values"] = new JsonArray(1.0, 2.0) })).ExpectAsync(400))["error"]!, StringComparison.Ordinal);
        await (await FeedbackAsync(client, new JsonObject { ["id"] = fresh, ["labels"] = new JsonArray("class_0", 2) })).ExpectAsync(202);
    }

    [Fact]
    public async Task Feedback_OneRowRequestsPredictingTheSameClass_EachJoinOnce_AndAccuracyCountsEach()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository(withProfile: false);
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        // One-row predictions of one class share their stored form: each request must still join once, on its own.
        var answers = new List<(string Id, string Predicted)>();
        for (var i = 0; i < 6; i++)
        {
            var (id, predicted) = await PredictAsync(client, data.Rows.Skip(i).Take(1), $"one-{i}");
            answers.Add((id, predicted.Single()));
        }

        Assert.Contains(answers.GroupBy(a => a.Predicted), g => g.Count() > 1); // 6 rows, 3 classes
        var correct = 0;
        for (var i = 0; i < answers.Count; i++)
        {
            var truth = i % 3 == 0 ? "class_2" : answers[i].Predicted;
            correct += truth == answers[i].Predicted ? 1 : 0;
            var joined = await (await FeedbackAsync(client, new JsonObject { ["id"] = answers[i].Id, ["labels"] = new JsonArray(truth) })).ExpectAsync(202);
            Assert.Equal(1, (int)joined["rows"]!);
            Assert.Equal(HttpStatusCode.NotFound, (await FeedbackAsync(client, new JsonObject { ["id"] = answers[i].Id, ["labels"] = new JsonArray(truth) })).StatusCode);
        }

        var scrape = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(correct, PrometheusText.Sample(scrape, "mlserving_feedback_total", Model, ("result", "correct")));
        Assert.Equal(answers.Count - correct, PrometheusText.Sample(scrape, "mlserving_feedback_total", Model, ("result", "incorrect")));
    }

    [Fact]
    public async Task Feedback_ForARegression_ExportsTheMeanAbsoluteErrorOfTheJoinedRows()
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor", "m");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        // y = 2·x0 + 3·x1 + 0.5: rows [1,2] → 8.5 and [0,1] → 3.5.
        var answered = await client.PostJsonAsync("/predict", """{"model":"m","instances":[[1,2],[0,1]]}""");
        await answered.ExpectAsync(200);
        var id = answered.Headers.GetValues("X-Request-Id").Single();
        await (await FeedbackAsync(client, new JsonObject { ["id"] = id, ["values"] = new JsonArray(9.5, 3.0) }, "m")).ExpectAsync(202);

        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(0.75, PrometheusText.Sample(metrics, "mlserving_model_mae", ("model", "m")), 12);
        Assert.Equal(2, PrometheusText.Sample(metrics, "mlserving_feedback_total", ("model", "m"), ("result", "regression")));
    }

    [Fact]
    public async Task Feedback_JoinsOnAnotherInstance_WhenBothShareRedis()
    {
        var data = await WineTrainingData.GetAsync();
        await using var redis = await RedisServer.StartAsync();
        using var repo = WineModel.Repository(withProfile: false);
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString };
        await using var first = new MlServingFactory(repo.Path, settings);
        await using var second = new MlServingFactory(repo.Path, settings);
        var answering = await first.StartAsync();
        var joining = await second.StartAsync();
        await Eventually.TrueAsync(() => first.Services.GetRequiredService<RedisConnection>().IsConnected, "the first instance to connect to Redis");
        await Eventually.TrueAsync(() => second.Services.GetRequiredService<RedisConnection>().IsConnected, "the second instance to connect to Redis");

        var (id, predicted) = await PredictAsync(answering, data.Rows.Take(3), "shared-1");
        var truth = new JsonArray([.. data.Targets.Take(3).Select(t => (JsonNode?)JsonValue.Create(t))]);

        // The prediction is stored without waiting for Redis: retry (bounded) until it is there.
        HttpResponseMessage? joined = null;
        await Eventually.TrueAsync(
            () =>
            {
                joined = FeedbackAsync(joining, new JsonObject { ["id"] = id, ["labels"] = truth.DeepClone() }).GetAwaiter().GetResult();
                return joined.StatusCode != HttpStatusCode.NotFound;
            },
            "the stored prediction to reach the other instance");
        await joined!.ExpectAsync(202);

        var expected = (double)predicted.Where((p, r) => p == WineModel.Labels[data.Targets[r]]).Count() / predicted.Length;
        Assert.Equal(expected, PrometheusText.Sample(await PrometheusText.ScrapeAsync(joining), "mlserving_model_accuracy", Model), 12);
        Assert.Equal(HttpStatusCode.NotFound, (await FeedbackAsync(answering, new JsonObject { ["id"] = id, ["labels"] = truth.DeepClone() })).StatusCode);
    }

    [Fact]
    public async Task Feedback_WithApiKeysConfigured_NeedsAPredictKeyForTheModel()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository(withProfile: false);
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?>()
            .WithKey(0, "client", ["predict"], models: [WineModel.Name])
            .WithKey(1, "operator", ["admin"]));
        var client = await factory.StartAsync();
        async Task<HttpResponseMessage> SendAsync(string path, string json, string? key, string? id = null)
        {
            using var request = Request(HttpMethod.Post, path, json, bearer: key);
            if (id is not null)
            {
                request.Headers.Add("X-Request-Id", id);
            }

            return await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        }

        await (await SendAsync("/predict", WineModel.PredictBody(data.Rows.Take(1)), KeyOf("client"), "keyed-1")).ExpectAsync(200);
        var truth = """{"id":"keyed-1","labels":["class_0"]}""";
        var anonymous = await SendAsync("/v2/models/wine-classifier/feedback", truth, key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Single(anonymous.Headers.GetValues("X-Request-Id"));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync("/v2/models/wine-classifier/feedback", truth, KeyOf("operator"))).StatusCode);
        await (await SendAsync("/v2/models/wine-classifier/feedback", truth, KeyOf("client"))).ExpectAsync(202);
    }
}
