using System.Security.Claims;

namespace MlServing.Api.Security;

/// <summary>The identity of a request that presented <see cref="Key"/>: its name, and one <c>scope</c> claim per scope.</summary>
public sealed class ApiKeyIdentity : ClaimsIdentity
{
    public const string ScopeClaim = "scope";

    public ApiKeyIdentity(ApiKey key)
        : base(ClaimsOf(key), ApiKeyDefaults.Scheme)
    {
        Key = key;
    }

    public ApiKey Key { get; }

    private static IEnumerable<Claim> ClaimsOf(ApiKey key)
    {
        yield return new Claim(ClaimTypes.Name, key.Name);
        if (key.Has(ApiKeyScopes.Predict))
        {
            yield return new Claim(ScopeClaim, ApiKeyDefaults.PredictScope);
        }

        if (key.Has(ApiKeyScopes.Admin))
        {
            yield return new Claim(ScopeClaim, ApiKeyDefaults.AdminScope);
        }
    }
}
