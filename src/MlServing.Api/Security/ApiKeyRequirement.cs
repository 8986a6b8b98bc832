using Microsoft.AspNetCore.Authorization;

namespace MlServing.Api.Security;

/// <summary>A key with <see cref="Scope"/> (None: any key) that, on a route with a <c>{name}</c>, may use that model.</summary>
public sealed class ApiKeyRequirement(ApiKeyScopes scope) : IAuthorizationRequirement
{
    public ApiKeyScopes Scope { get; } = scope;

    /// <summary>Why <paramref name="key"/> may not make <paramref name="request"/> under <paramref name="scope"/>; null when it may.</summary>
    internal static string? Refusal(ApiKey key, ApiKeyScopes scope, HttpRequest? request)
    {
        if (!key.Has(scope))
        {
            return $"the API key '{key.Name}' does not have the '{ScopeNames(scope & ~key.Scopes)}' scope";
        }

        return request?.RouteValues["name"] is string model && !key.AllowsModel(model) ? ApiKeyAccess.ModelNotAllowed(key, model) : null;
    }

    private static string ScopeNames(ApiKeyScopes missing) => missing switch
    {
        ApiKeyScopes.Admin => ApiKeyDefaults.AdminScope,
        ApiKeyScopes.Predict => ApiKeyDefaults.PredictScope,
        _ => ApiKeyDefaults.PredictScope + "' and '" + ApiKeyDefaults.AdminScope,
    };
}
