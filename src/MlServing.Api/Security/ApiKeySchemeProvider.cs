using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MlServing.Api.Security;

/// <summary>
/// The framework's scheme provider, answering the per-request questions of the authentication middleware and service
/// (the default schemes, the API-key scheme by name, the request-handler schemes) from tasks completed once: the base class
/// allocates a new task for every answer, several times per request. Schemes are fixed at start: nothing adds one later.
/// </summary>
internal sealed class ApiKeySchemeProvider : AuthenticationSchemeProvider
{
    private readonly Task<AuthenticationScheme?> _apiKey;
    private readonly Task<AuthenticationScheme?> _authenticate;
    private readonly Task<AuthenticationScheme?> _challenge;
    private readonly Task<AuthenticationScheme?> _forbid;
    private readonly Task<IEnumerable<AuthenticationScheme>> _requestHandlers;

    public ApiKeySchemeProvider(IOptions<AuthenticationOptions> options)
        : base(options)
    {
        _apiKey = base.GetSchemeAsync(ApiKeyDefaults.Scheme);
        _authenticate = base.GetDefaultAuthenticateSchemeAsync();
        _challenge = base.GetDefaultChallengeSchemeAsync();
        _forbid = base.GetDefaultForbidSchemeAsync();
        _requestHandlers = base.GetRequestHandlerSchemesAsync();
        OnlyApiKey = _authenticate.Result?.Name == ApiKeyDefaults.Scheme && !_requestHandlers.Result.Any();
    }

    /// <summary>The API-key scheme authenticates every request and no scheme handles requests itself.</summary>
    public bool OnlyApiKey { get; }

    public override Task<AuthenticationScheme?> GetSchemeAsync(string name) =>
        string.Equals(name, ApiKeyDefaults.Scheme, StringComparison.Ordinal) ? _apiKey : base.GetSchemeAsync(name);

    public override Task<AuthenticationScheme?> GetDefaultAuthenticateSchemeAsync() => _authenticate;

    public override Task<AuthenticationScheme?> GetDefaultChallengeSchemeAsync() => _challenge;

    public override Task<AuthenticationScheme?> GetDefaultForbidSchemeAsync() => _forbid;

    public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync() => _requestHandlers;
}
