using Microsoft.AspNetCore.Authorization;

namespace MlServing.Api.Security;

/// <summary>A key with <see cref="Scope"/> (None: any key) that, on a route with a <c>{name}</c>, may use that model.</summary>
public sealed class ApiKeyRequirement(ApiKeyScopes scope) : IAuthorizationRequirement
{
    public ApiKeyScopes Scope { get; } = scope;
}
