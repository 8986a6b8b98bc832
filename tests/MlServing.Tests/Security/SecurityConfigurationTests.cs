using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// How the feature is configured: bad settings stop the start naming the setting; every route is classified; metrics
/// can be protected; CORS answers preflights before a key is asked for; with no key configured nothing changes.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SecurityConfigurationTests : IDisposable
{
    private readonly TestRepository _repository = new TestRepository().AddFixture("identity-fp32", "id");

    public static TheoryData<string, string, string> BadSettings() => new()
    {
        { "MlServing:Auth:Keys:0:Sha256", "abc", "MlServing:Auth:Keys:0:Sha256 must be the 64 hex digits" },
        { "MlServing:Auth:Keys:0:Scopes:0", "write", "MlServing:Auth:Keys:0:Scopes: unknown scope 'write'" },
        { "MlServing:Auth:Keys:0:Name", " ", "MlServing:Auth:Keys:0:Name is required" },
        { "MlServing:Auth:Keys:0:RequestsPerSecond", "-1", "MlServing:Auth:Keys:0:RequestsPerSecond must be 0 (unlimited) or more" },
        { "MlServing:Auth:Keys:1:Name", "ci", "API key name 'ci' is used more than once" },
        { "MlServing:Auth:DefaultBurst", "-5", "MlServing:Auth:DefaultBurst must be 0" },
        { "MlServing:Auth:KeysFile", "/nonexistent/keys.json", "MlServing:Auth:KeysFile: /nonexistent/keys.json: the keys file does not exist" },
        { "MlServing:Cors:Origins:0", "https://app.example.com/path", "MlServing:Cors:Origins:0 must be an origin" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSecuritySetting_StopsTheStart_NamingTheSetting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>().WithKey(0, "ci", ["predict"]);
        if (key.StartsWith("MlServing:Auth:Keys:1:", StringComparison.Ordinal))
        {
            settings.WithKey(1, "ci", ["admin"]);
            settings["MlServing:Auth:Keys:1:Sha256"] = Sha256Of("another key");
        }

        settings[key] = value;
        await using var factory = new MlServingFactory(_repository.Path, settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(factory.StartAsync);

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedKeysFile_StopsTheStart_NamingTheFile()
    {
        var file = Path.Combine(_repository.Path, "keys.json");
        await File.WriteAllTextAsync(file, """{"keys": [{"name": "ci", "sha256": """);
        await using var factory = new MlServingFactory(_repository.Path, new Dictionary<string, string?> { ["MlServing:Auth:KeysFile"] = file });

        var error = await Assert.ThrowsAnyAsync<Exception>(factory.StartAsync);

        Assert.Contains($"MlServing:Auth:KeysFile: {file}: the keys file is not valid JSON", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryRoute_IsClassified_AsNeedingAKeyOrOpen()
    {
        await using var factory = new MlServingFactory(_repository.Path);
        await factory.StartAsync();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();

        string Policy(string pattern, string method)
        {
            var endpoint = endpoints.SingleOrDefault(e => e.RoutePattern.RawText == pattern
                && (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method) ?? method == "GET"));
            Assert.True(endpoint is not null, $"no {method} {pattern} among: {string.Join(", ", endpoints.Select(e => e.RoutePattern.RawText))}");
            return endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ? "open"
                : string.Join("+", endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy));
        }

        Assert.All(endpoints, e => Assert.True(
            e.Metadata.GetMetadata<IAllowAnonymous>() is not null || e.Metadata.GetMetadata<IAuthorizeData>() is not null,
            $"{e.RoutePattern.RawText} is neither open nor protected: classify it (docs/SECURITY.md)"));
        Assert.Equal("predict", Policy("/predict", "POST"));
        Assert.Equal("predict", Policy("/v2/models/{name}/infer", "POST"));
        Assert.Equal("predict", Policy("/v2/models/{name}/versions/{version}/infer", "POST"));
        Assert.Equal("predict", Policy("/v2/models/{name}", "GET"));
        Assert.Equal("predict", Policy("/v2/models/{name}/versions/{version}/ready", "GET"));
        Assert.Equal("admin", Policy("/v2/repository/index", "POST"));
        Assert.Equal("admin", Policy("/v2/repository/models/{name}/unload", "POST"));
        Assert.Equal("admin", Policy("/v2/repository/models/{name}/traffic", "GET"));
        Assert.Equal("admin", Policy("/v2/repository/models/{name}/traffic", "PUT"));
        Assert.Equal("admin", Policy("/v2/repository/models/{name}/traffic", "DELETE"));
        Assert.Equal("api-key", Policy("/v2/", "GET"));
        foreach (var open in new[] { "/health/live", "/health/ready", "/v2/health/live", "/v2/health/ready", "/metrics" })
        {
            Assert.Equal("open", Policy(open, "GET"));
        }
    }

    [Fact]
    public async Task ProtectMetrics_MakesMetricsNeedAKey_ProbesStayOpen()
    {
        var settings = new Dictionary<string, string?> { ["MlServing:Auth:ProtectMetrics"] = "true" }.WithKey(0, "scraper", ["predict"]);
        await using var factory = new MlServingFactory(_repository.Path, settings);
        var client = await factory.StartAsync();

        var refused = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var request = Request(HttpMethod.Get, "/metrics", bearer: KeyOf("scraper"));
        var scraped = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("mlserving_inference_requests_total", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task CorsOrigin_PreflightIsAnsweredWithoutAKey_AndRefusalsCarryTheOrigin_OtherOriginsGetNoCorsHeaders()
    {
        var settings = new Dictionary<string, string?> { ["MlServing:Cors:Origins:0"] = "https://app.example.com" }.WithKey(0, "web", ["predict"]);
        await using var factory = new MlServingFactory(_repository.Path, settings);
        var client = await factory.StartAsync();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/predict");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var answer = await client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("https://app.example.com", Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("authorization", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);

        using var refused = Request(HttpMethod.Post, "/predict", """{"instances":[[1,2]]}""");
        refused.Headers.Add("Origin", "https://app.example.com");
        var unauthorized = await client.SendAsync(refused);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("https://app.example.com", Assert.Single(unauthorized.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("WWW-Authenticate", string.Join(",", unauthorized.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.OrdinalIgnoreCase);

        using var stranger = Request(HttpMethod.Post, "/predict", """{"instances":[[1,2]]}""", bearer: KeyOf("web"));
        stranger.Headers.Add("Origin", "https://evil.example.net");
        var served = await client.SendAsync(stranger);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.False(served.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task NoKeyConfigured_EveryRouteIsOpen_AndAuthorizationHeadersAreIgnored()
    {
        await using var factory = new MlServingFactory(_repository.Path);
        var client = await factory.StartAsync();

        foreach (var (bearer, apiKey) in new[] { ((string?)null, (string?)null), ("anything", null), (null, "anything"), ("one", "two") })
        {
            using var predict = Request(HttpMethod.Post, "/predict", """{"instances":[[1,2]]}""", bearer, apiKey);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(predict)).StatusCode);
            using var index = Request(HttpMethod.Post, "/v2/repository/index", bearer: bearer, apiKey: apiKey);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(index)).StatusCode);
        }

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/predict");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        Assert.False((await client.SendAsync(preflight)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    public void Dispose() => _repository.Dispose();
}
