using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MlServing.Api.Errors;
using MlServing.Inference.Errors;

namespace MlServing.Api.Security;

/// <summary>
/// The API-key scheme: no result while authentication is off (no key configured) or no key was sent; otherwise the
/// key's identity, or a failure that the challenge turns into a 401 in the route's error format.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    private static readonly Task<AuthenticateResult> NoKey = Task.FromResult(AuthenticateResult.NoResult());

    private readonly ApiKeyStore _store;

    public ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore store)
        : base(options, logger, encoder) => _store = store;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var keys = _store.Current;
        if (keys.IsEmpty)
        {
            return NoKey;
        }

        if (ApiKeyCredentials.Read(Request.Headers, out var presented) is { } refused)
        {
            return Task.FromResult(AuthenticateResult.Fail(refused));
        }

        if (presented is null)
        {
            return NoKey;
        }

        return Task.FromResult(keys.Find(presented) is { } key
            ? AuthenticateResult.Success(new AuthenticationTicket(key.Principal, Scheme.Name))
            : AuthenticateResult.Fail("the API key is not valid"));
    }

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>, saying why (no key, unknown key, ambiguous headers).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.Headers.WWWAuthenticate = "Bearer";
        await ErrorResponse.WriteAsync(Context, InferenceError.Of(InferenceErrorKind.Unauthenticated, result.Failure?.Message ?? ApiKeyCredentials.Missing)).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResponse.WriteAsync(Context, InferenceError.Of(InferenceErrorKind.Forbidden, "the API key does not allow this request"));
}
