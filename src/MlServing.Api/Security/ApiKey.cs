using System.Collections.Frozen;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace MlServing.Api.Security;

/// <summary>One accepted key, resolved from its configuration: its hash, scopes, models and rate. Immutable.</summary>
public sealed class ApiKey
{
    private readonly FrozenSet<string>? _models;

    public ApiKey(string name, byte[] sha256, ApiKeyScopes scopes, IEnumerable<string>? models, ApiKeyRate rate)
    {
        Name = name;
        Sha256 = sha256;
        Scopes = scopes;
        _models = models?.ToFrozenSet(StringComparer.Ordinal);
        Rate = rate;
        Principal = new ClaimsPrincipal(new ApiKeyIdentity(this));
        Authenticated = AuthenticateResult.Success(new AuthenticationTicket(Principal, ApiKeyDefaults.Scheme));
    }

    public string Name { get; }

    /// <summary>SHA-256 of the key's UTF-8 bytes, 32 bytes.</summary>
    public byte[] Sha256 { get; }

    public ApiKeyScopes Scopes { get; }

    public ApiKeyRate Rate { get; }

    /// <summary>The request user for this key, built once: nothing in the pipeline changes it.</summary>
    public ClaimsPrincipal Principal { get; }

    /// <summary>The scheme's answer for this key, built once like <see cref="Principal"/>.</summary>
    public AuthenticateResult Authenticated { get; }

    /// <summary>The models the key may use; null = every model.</summary>
    public IReadOnlySet<string>? Models => _models;

    public bool Has(ApiKeyScopes scope) => (Scopes & scope) == scope;

    public bool AllowsModel(string model) => _models is null || _models.Contains(model);
}
