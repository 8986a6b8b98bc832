using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace MlServing.Api.Security;

/// <summary>
/// The authentication step while keys are configured. When the API-key scheme is the only thing the framework's
/// <see cref="AuthenticationMiddleware"/> would run (it is the default scheme, no scheme handles requests itself, claims
/// are not transformed: the service's own configuration), the request's key is resolved here with the scheme's own rule
/// and the result is set as that middleware sets it. This skips the per-request scoped authentication service, handler
/// provider, handler and re-wrapped ticket, which cost more than the key check itself, and the key's hash when the
/// connection presents the same header again (<see cref="ApiKeyConnectionMemo"/>). Any other configuration goes
/// to the framework's middleware. Challenges and forbids still run through the scheme's handler.
/// </summary>
internal sealed class ApiKeyAuthenticationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly AuthenticationMiddleware? _framework;
    private readonly ApiKeyStore _store;

    public ApiKeyAuthenticationMiddleware(RequestDelegate next, IAuthenticationSchemeProvider schemes, IClaimsTransformation claims, ApiKeyStore store)
    {
        _next = next;
        _store = store;
        var inline = schemes is ApiKeySchemeProvider { OnlyApiKey: true } && claims is NoopClaimsTransformation;
        _framework = inline ? null : new AuthenticationMiddleware(next, schemes);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_framework is not null)
        {
            return _framework.Invoke(context);
        }

        var result = Authenticate(context);
        if (result.Succeeded)
        {
            var features = new ApiKeyAuthenticationFeatures(result);
            context.Features.Set<IHttpAuthenticationFeature>(features);
            context.Features.Set<IAuthenticateResultFeature>(features);
        }

        return _next(context);
    }

    /// <summary>The scheme's rule, answered from the connection's memo when it presents the same Authorization header again.</summary>
    private AuthenticateResult Authenticate(HttpContext context)
    {
        var keys = _store.Current;
        var headers = context.Request.Headers;
        var authorization = headers.Authorization;
        var single = authorization.Count == 1 && headers[ApiKeyDefaults.HeaderName].Count == 0 ? authorization[0] : null;
        var memo = single is null ? null : ApiKeyConnectionMemo.Of(context);
        if (memo?.Recall(single!, keys) is { } recalled)
        {
            return recalled.Authenticated;
        }

        var result = ApiKeyAuthenticationHandler.Authenticate(keys, headers);
        if (memo is not null && result.Principal?.Identity is ApiKeyIdentity { Key: var key })
        {
            memo.Remember(single!, keys, key);
        }

        return result;
    }
}
