using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Api.Security;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// The rate-limiting step takes a key's tokens itself from the service's own limiter, and hands an endpoint with a
/// rate-limiting policy of its own to the framework's middleware, which applies that policy on top of the key's bucket.
/// </summary>
public sealed class ApiKeyRateLimitingMiddlewareTests
{
    [Fact]
    public async Task KeyBuckets_AreTakenInline_AndAnEndpointPolicyStillApplies()
    {
        var builder = SecurityHost.CreateBuilder(new Dictionary<string, string?>()
            .WithKey(0, "small", ["predict"], requestsPerSecond: 0.001, burst: 1)
            .WithKey(1, "large", ["predict"], requestsPerSecond: 1000, burst: 1000));
        builder.Services.Configure<RateLimiterOptions>(options => options.AddFixedWindowLimiter("one-per-hour", window =>
        {
            window.PermitLimit = 1;
            window.Window = TimeSpan.FromHours(1);
            window.QueueLimit = 0;
        }));
        await using var app = SecurityHost.Build(builder);
        app.MapGet("/plain", () => "ok").RequirePredictKey();
        app.MapGet("/policy", () => "ok").RequirePredictKey().RequireRateLimiting("one-per-hour");
        await app.StartAsync();
        using var client = app.GetTestClient();

        async Task<HttpResponseMessage> GetAsync(string path, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new("Bearer", KeyOf(key));
            return await client.SendAsync(request);
        }

        // A key with tokens to spare: the endpoint's own window refuses the second request.
        using (var first = await GetAsync("/policy", "large"))
        using (var second = await GetAsync("/policy", "large"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        }

        // A key with one token: its bucket refuses the second request, in the service's error format.
        using (var allowed = await GetAsync("/plain", "small"))
        using (var refused = await GetAsync("/plain", "small"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("small\\u0027 is over its rate", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
