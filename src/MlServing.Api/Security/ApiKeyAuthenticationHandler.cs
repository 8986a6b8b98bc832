using Microsoft.AspNetCore.Authentication;
using MlServing.Api.Errors;
using MlServing.Inference.Errors;

namespace MlServing.Api.Security;

/// <summary>
/// The API-key scheme: no result while authentication is off (no key configured) or no key was sent; otherwise the
/// key's identity, or a failure that the challenge turns into a 401 in the route's error format. A plain
/// <see cref="IAuthenticationHandler"/>: created per request, so its constructor takes nothing that costs per request.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler : IAuthenticationHandler
{
    private readonly ApiKeyStore _store;
    private HttpContext _context = null!;
    private AuthenticateResult? _result;

    public ApiKeyAuthenticationHandler(ApiKeyStore store) => _store = store;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        _result = null;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => Task.FromResult(_result ??= Authenticate());

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>, saying why (no key, unknown key, ambiguous headers).</summary>
    public Task ChallengeAsync(AuthenticationProperties? properties)
    {
        var result = _result ??= Authenticate();
        _context.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorResponse.WriteAsync(_context, InferenceError.Of(InferenceErrorKind.Unauthenticated, result.Failure?.Message ?? ApiKeyCredentials.Missing));
    }

    public Task ForbidAsync(AuthenticationProperties? properties) =>
        ErrorResponse.WriteAsync(_context, InferenceError.Of(InferenceErrorKind.Forbidden, "the API key does not allow this request"));

    private AuthenticateResult Authenticate() => Authenticate(_store.Current, _context.Request.Headers);

    /// <summary>The scheme's rule, shared with <see cref="ApiKeyAuthenticationMiddleware"/>.</summary>
    internal static AuthenticateResult Authenticate(ApiKeySet keys, IHeaderDictionary headers)
    {
        if (keys.IsEmpty)
        {
            return AuthenticateResult.NoResult();
        }

        if (ApiKeyCredentials.Read(headers, out var presented) is { } refused)
        {
            return AuthenticateResult.Fail(refused);
        }

        if (presented.IsEmpty)
        {
            return AuthenticateResult.NoResult();
        }

        return keys.Find(presented)?.Authenticated ?? AuthenticateResult.Fail("the API key is not valid");
    }
}
