using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Client;
using MlServing.Client.OpenInference;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// The real pipeline with keys configured: each refusal (no key, unknown key, two keys, wrong scope, other model, over
/// the rate) has its exact status, headers and body in the route's own error format, and is counted with its outcome.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ApiKeyTests : IClassFixture<ApiKeyTests.KeyedServer>
{
    private const string PredictBody = """{"model":"id","instances":[[1.5,-2]]}""";
    private const string InferBody = """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1.5,-2]}]}""";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly KeyedServer _server;
    private readonly HttpClient _client;

    public ApiKeyTests(KeyedServer server)
    {
        _server = server;
        _client = server.Client;
    }

    public sealed class KeyedServer() : SharedServer(
        new TestRepository().AddFixture("identity-fp32", "id").AddFixture("fp64-regressor", "reg"),
        new Dictionary<string, string?>()
            .WithKey(0, "client", ["predict"], models: ["id"])
            .WithKey(1, "operator", ["admin"])
            .WithKey(2, "both", ["predict", "admin"])
            .WithKey(3, "noisy", ["predict"], requestsPerSecond: 0.001, burst: 5)
            .WithKey(4, "quiet", ["predict"])
            .WithKey(5, "metered", ["predict"], requestsPerSecond: 0.001, burst: 1))
    {
    }

    private async Task<(HttpResponseMessage Response, JsonNode Body)> SendAsync(HttpMethod method, string path, string? json = null, string? bearer = null, string? apiKey = null)
    {
        using var request = Request(method, path, json, bearer, apiKey);
        var response = await _client.SendAsync(request).WaitAsync(Timeout);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        return (response, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    private static void AssertProblem(HttpResponseMessage response, JsonNode body, int status, string detailPart)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, body["status"]!.GetValue<int>());
        Assert.Contains(detailPart, body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static void AssertOipError(HttpResponseMessage response, JsonNode body, int status, string messagePart)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Single(body.AsObject());
        Assert.Contains(messagePart, body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static void AssertBearerChallenge(HttpResponseMessage response) =>
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());

    [Fact]
    public async Task NoKey_Is401WithBearerChallenge_InEachApisErrorFormat()
    {
        var (predict, predictBody) = await SendAsync(HttpMethod.Post, "/predict", PredictBody);
        AssertProblem(predict, predictBody, 401, "Authorization: Bearer <key>");
        Assert.Equal("Unauthorized.", predictBody["title"]!.GetValue<string>());
        AssertBearerChallenge(predict);

        foreach (var (method, path, json) in new[]
        {
            (HttpMethod.Post, "/v2/models/id/infer", InferBody), (HttpMethod.Get, "/v2/models/id", null), (HttpMethod.Get, "/v2/models/id/ready", null),
            (HttpMethod.Get, "/v2", null), (HttpMethod.Post, "/v2/repository/index", null), (HttpMethod.Post, "/v2/repository/models/id/unload", null),
        })
        {
            var (response, body) = await SendAsync(method, path, json);
            AssertOipError(response, body, 401, "X-API-Key: <key>");
            AssertBearerChallenge(response);
        }
    }

    [Fact]
    public async Task UnknownKey_Is401_AndNeverEchoesTheKey()
    {
        const string unknown = "not-a-configured-key-7f3a";
        var (predict, predictBody) = await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: unknown);
        AssertProblem(predict, predictBody, 401, "the API key is not valid");
        AssertBearerChallenge(predict);

        var (infer, inferBody) = await SendAsync(HttpMethod.Post, "/v2/models/id/infer", InferBody, apiKey: unknown);
        AssertOipError(infer, inferBody, 401, "the API key is not valid");
        Assert.DoesNotContain(unknown, predictBody.ToJsonString() + inferBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoDifferentKeys_Are401_TheSameKeyInBothHeadersIsServed_AndARepeatedAuthorizationHeaderIs401()
    {
        var (different, differentBody) = await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf("client"), apiKey: KeyOf("both"));
        AssertProblem(different, differentBody, 401, "two different API keys");

        var (same, _) = await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf("client"), apiKey: KeyOf("client"));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);

        using var repeated = Request(HttpMethod.Post, "/v2/models/id/infer", InferBody, bearer: KeyOf("client"));
        repeated.Headers.TryAddWithoutValidation("Authorization", "Bearer " + KeyOf("both"));
        var response = await _client.SendAsync(repeated).WaitAsync(Timeout);
        AssertOipError(response, JsonNode.Parse(await response.Content.ReadAsStringAsync())!, 401, "repeats the Authorization");
    }

    [Fact]
    public async Task KeyWithoutTheScope_Is403_InEachApisErrorFormat_AndCannotUnloadAModel()
    {
        var (predict, predictBody) = await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf("operator"));
        AssertProblem(predict, predictBody, 403, "the API key 'operator' does not have the 'predict' scope");
        Assert.Empty(predict.Headers.WwwAuthenticate);

        var (infer, inferBody) = await SendAsync(HttpMethod.Post, "/v2/models/id/infer", InferBody, apiKey: KeyOf("operator"));
        AssertOipError(infer, inferBody, 403, "does not have the 'predict' scope");

        var (unload, unloadBody) = await SendAsync(HttpMethod.Post, "/v2/repository/models/id/unload", bearer: KeyOf("client"));
        AssertOipError(unload, unloadBody, 403, "the API key 'client' does not have the 'admin' scope");
        var (index, indexBody) = await SendAsync(HttpMethod.Post, "/v2/repository/index", apiKey: KeyOf("client"));
        AssertOipError(index, indexBody, 403, "'admin' scope");

        var (listed, listing) = await SendAsync(HttpMethod.Post, "/v2/repository/index", apiKey: KeyOf("operator"));
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(listing.AsArray(), row => row!["name"]!.GetValue<string>() == "id" && row["state"]!.GetValue<string>() == "READY");
        var (served, _) = await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf("client"));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task KeyLimitedToOneModel_Is403ForAnyOtherModel_OnBothApis_WhetherOrNotItExists()
    {
        var (other, otherBody) = await SendAsync(HttpMethod.Post, "/predict", """{"model":"reg","instances":[[1,2]]}""", bearer: KeyOf("client"));
        AssertProblem(other, otherBody, 403, "the API key 'client' may not use model 'reg'");
        Assert.Equal("the API key 'client' may not use model 'reg'", otherBody["errors"]!["model"]![0]!.GetValue<string>());
        var (missing, missingBody) = await SendAsync(HttpMethod.Post, "/predict", """{"model":"no-such-model","instances":[[1,2]]}""", bearer: KeyOf("client"));
        AssertProblem(missing, missingBody, 403, "may not use model 'no-such-model'");

        foreach (var (method, path, json) in new[]
        {
            (HttpMethod.Post, "/v2/models/reg/infer", InferBody), (HttpMethod.Post, "/v2/models/reg/versions/1/infer", InferBody),
            (HttpMethod.Get, "/v2/models/reg", null), (HttpMethod.Get, "/v2/models/reg/ready", null), (HttpMethod.Post, "/v2/models/no-such-model/infer", InferBody),
        })
        {
            var (response, body) = await SendAsync(method, path, json, apiKey: KeyOf("client"));
            AssertOipError(response, body, 403, "the API key 'client' may not use model");
        }

        // The model it may use answers correctly on both APIs; a key without a list may use every model.
        var (allowed, allowedBody) = await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf("client"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("[1.5,-2]", allowedBody["predictions"]![0]!["y"]!.ToJsonString());
        var (inferred, inferredBody) = await SendAsync(HttpMethod.Post, "/v2/models/id/infer", InferBody, apiKey: KeyOf("client"));
        Assert.Equal(HttpStatusCode.OK, inferred.StatusCode);
        Assert.Equal("[1.5,-2]", inferredBody["outputs"]![0]!["data"]!.ToJsonString());
        var (anyModel, _) = await SendAsync(HttpMethod.Get, "/v2/models/reg", apiKey: KeyOf("both"));
        Assert.Equal(HttpStatusCode.OK, anyModel.StatusCode);
    }

    [Fact]
    public async Task ProbesMetricsAndSwagger_StayOpen_ServerMetadataNeedsAnyKey()
    {
        foreach (var path in new[] { "/health/live", "/health/ready", "/v2/health/live", "/v2/health/ready", "/metrics", "/swagger/v1/swagger.json", "/swagger/index.html" })
        {
            var response = await _client.GetAsync(path).WaitAsync(Timeout);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode} without a key");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v2")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/v2", apiKey: KeyOf("operator"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/v2", bearer: KeyOf("client"))).Response.StatusCode);
    }

    [Fact]
    public async Task NoisyKeyAtTenTimesItsBucket_GetsExactlyItsBurst_AndRetryAfter_WhileAnotherKeysRequestsAllSucceed()
    {
        // noisy: a bucket of 5 refilled once every 1000 s, so nothing refills during the test; quiet: no limit.
        const int Each = 50;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<(string Key, bool Predict, HttpResponseMessage Response, JsonNode Body)> RunAsync(string key, int i)
        {
            await gate.Task;
            var predict = i % 2 == 0;
            var (response, body) = predict
                ? await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf(key))
                : await SendAsync(HttpMethod.Post, "/v2/models/id/infer", InferBody, apiKey: KeyOf(key));
            return (key, predict, response, body);
        }

        var tasks = Enumerable.Range(0, Each).SelectMany(i => new[] { RunAsync("noisy", i), RunAsync("quiet", i) }).ToArray();
        gate.SetResult();
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        var quiet = results.Where(r => r.Key == "quiet").ToArray();
        Assert.All(quiet, r => Assert.Equal(HttpStatusCode.OK, r.Response.StatusCode));
        var noisy = results.Where(r => r.Key == "noisy").ToArray();
        Assert.Equal(5, noisy.Count(r => r.Response.StatusCode == HttpStatusCode.OK));
        var limited = noisy.Where(r => r.Response.StatusCode != HttpStatusCode.OK).ToArray();
        Assert.Equal(Each - 5, limited.Length);
        foreach (var (_, predict, response, body) in limited)
        {
            var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 1000);
            if (predict)
            {
                AssertProblem(response, body, 429, "the API key 'noisy' is over its rate");
                Assert.Equal("Too many requests.", body["title"]!.GetValue<string>());
            }
            else
            {
                AssertOipError(response, body, 429, "the API key 'noisy' is over its rate");
            }
        }
    }

    [Fact]
    public async Task RefusedRequests_AreCountedAsUnauthorizedForbiddenAndRateLimited_NeverAsRejected()
    {
        var before = await _client.GetStringAsync("/metrics").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, "/predict", PredictBody)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, "/v2/models/id/infer", InferBody, bearer: "unknown")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/predict", """{"model":"reg","instances":[[1,2]]}""", bearer: KeyOf("client"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/v2/models/id/infer", InferBody, bearer: KeyOf("operator"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf("metered"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(HttpMethod.Post, "/predict", PredictBody, bearer: KeyOf("metered"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(HttpMethod.Post, "/v2/models/id/infer", InferBody, bearer: KeyOf("metered"))).Response.StatusCode);

        (string, string) unresolved = ("model", ""), noVersion = ("version", "");
        var after = string.Empty;
        await Eventually.TrueAsync(
            () =>
            {
                after = _client.GetStringAsync("/metrics").GetAwaiter().GetResult();
                return Delta(before, after, unresolved, ("protocol", "v2"), ("outcome", "rate_limited")) >= 1;
            },
            "the refused requests to be counted");

        foreach (var protocol in new[] { "predict", "v2" })
        {
            Assert.Equal(1, Delta(before, after, unresolved, noVersion, ("protocol", protocol), ("outcome", "unauthorized")));
            Assert.Equal(1, Delta(before, after, unresolved, noVersion, ("protocol", protocol), ("outcome", "forbidden")));
            Assert.Equal(1, Delta(before, after, unresolved, noVersion, ("protocol", protocol), ("outcome", "rate_limited")));
            Assert.Equal(0, Delta(before, after, ("protocol", protocol), ("outcome", "rejected")));
        }

        Assert.Equal(1, Delta(before, after, ("model", "id"), ("version", "1"), ("protocol", "predict"), ("outcome", "success")));
        Assert.Contains("mlserving_inference_requests_total{model=\"id\",version=\"1\",protocol=\"v2\",outcome=\"rate_limited\"} 0", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypedClient_WithItsApiKey_IsServed_WithoutOne_ThrowsTheServers401Reason()
    {
        ServiceProvider Client(string? key)
        {
            var services = new ServiceCollection();
            services.AddMlServingClient(o =>
            {
                o.BaseAddress = _server.Factory.Server.BaseAddress;
                o.ApiKey = key;
                o.MaxRetries = 0;
            }).ConfigurePrimaryHttpMessageHandler(() => _server.Factory.Server.CreateHandler());
            return services.BuildServiceProvider();
        }

        var request = new InferRequest { Inputs = [InferTensor.Create("x", [1, 2], new[] { 1.5f, -2f })] };
        await using (var keyed = Client(KeyOf("client")))
        {
            var answer = await keyed.GetRequiredService<MlServingClient>().InferAsync("id", request).WaitAsync(Timeout);
            Assert.Equal([1.5f, -2f], answer.Output("y").Values<float>());
        }

        await using var anonymous = Client(null);
        var refused = await Assert.ThrowsAsync<MlServingClientException>(() => anonymous.GetRequiredService<MlServingClient>().InferAsync("id", request).WaitAsync(Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("an API key is required", refused.Message, StringComparison.Ordinal);
    }

    private static double Delta(string before, string after, params (string Label, string Value)[] labels) =>
        Sample(after, labels) - Sample(before, labels);

    private static double Sample(string text, (string Label, string Value)[] labels) => PrometheusText.Sample(text, "mlserving_inference_requests_total", labels);
}
