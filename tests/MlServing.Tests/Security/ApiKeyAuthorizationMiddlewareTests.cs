using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using MlServing.Api.Security;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// The authorization step decides the service's own policies itself and hands every other policy to the framework's
/// middleware: both paths on one host, with each key, give the answer the policy asks for.
/// </summary>
public sealed class ApiKeyAuthorizationMiddlewareTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = SecurityHost.Build(SecurityHost.CreateBuilder(new Dictionary<string, string?>()
            .WithKey(0, "predictor", ["predict"])
            .WithKey(1, "operator", ["admin"])
            .WithKey(2, "both", ["predict", "admin"])));
        _app.MapGet("/service-policy", () => "ok").RequirePredictKey();
        _app.MapGet("/both-service-policies", () => "ok").RequirePredictKey().RequireAdminKey();
        _app.MapGet("/framework-policy", () => "ok").RequireAuthorization(policy => policy.RequireClaim(ApiKeyIdentity.ScopeClaim, ApiKeyDefaults.AdminScope));
        _app.MapGet("/open", () => "ok").OpenWithoutKey();
        _app.MapGet("/unclassified", () => "ok");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    public static TheoryData<string, string?, HttpStatusCode> Cases() => new()
    {
        { "/service-policy", null, HttpStatusCode.Unauthorized },
        { "/service-policy", "predictor", HttpStatusCode.OK },
        { "/service-policy", "operator", HttpStatusCode.Forbidden },
        { "/both-service-policies", "predictor", HttpStatusCode.Forbidden },
        { "/both-service-policies", "operator", HttpStatusCode.Forbidden },
        { "/both-service-policies", "both", HttpStatusCode.OK },
        { "/framework-policy", null, HttpStatusCode.Unauthorized },
        { "/framework-policy", "predictor", HttpStatusCode.Forbidden },
        { "/framework-policy", "operator", HttpStatusCode.OK },
        { "/open", null, HttpStatusCode.OK },
        { "/unclassified", null, HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachPolicy_IsDecidedAsDeclared_WhicheverPathDecidesIt(string path, string? key, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", KeyOf(key));
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        }
    }

    [Fact]
    public async Task MissingScopes_AreNamedInThe403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/both-service-policies");
        request.Headers.Authorization = new("Bearer", KeyOf("predictor"));

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("the API key 'predictor' does not have the 'admin' scope", problem["detail"]!.GetValue<string>());
    }
}
