using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Api.Security;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// The authentication step resolves the key itself while the API-key scheme is all the framework's middleware would
/// run, and leaves the request as that middleware would (user, result feature, the scheme answering
/// <c>AuthenticateAsync</c>); a host that transforms claims goes through the framework's middleware, which applies them.
/// </summary>
public sealed class ApiKeyAuthenticationMiddlewareTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheRequest_CarriesTheKeysIdentity_InlineOrThroughTheFramework(bool transformClaims)
    {
        var builder = SecurityHost.CreateBuilder(new Dictionary<string, string?>().WithKey(0, "predictor", ["predict"]));
        if (transformClaims)
        {
            builder.Services.AddSingleton<IClaimsTransformation, TeamClaim>();
        }

        await using var app = SecurityHost.Build(builder);
        app.MapGet("/who", async (HttpContext context) =>
        {
            var feature = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
            var scheme = await context.AuthenticateAsync();
            return $"{context.User.Identity?.Name}|{feature?.Principal?.Identity?.Name}|{scheme.Principal?.Identity?.Name}|{context.User.FindFirst("team")?.Value}";
        }).RequirePredictKey();
        await app.StartAsync();
        using var client = app.GetTestClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/who");
        request.Headers.Authorization = new("Bearer", KeyOf("predictor"));
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(transformClaims ? "predictor|predictor|predictor|ml" : "predictor|predictor|predictor|", await response.Content.ReadAsStringAsync());
        using var anonymous = await client.GetAsync(new Uri("/who", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private sealed class TeamClaim : IClaimsTransformation
    {
        /// <summary>A new principal (the key's own is shared by its requests): the key's identity first, then the team's.</summary>
        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal) =>
            Task.FromResult(new ClaimsPrincipal(principal.Identities.Append(new ClaimsIdentity([new Claim("team", "ml")]))));
    }
}
