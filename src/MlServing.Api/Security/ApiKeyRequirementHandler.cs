using Microsoft.AspNetCore.Authorization;

namespace MlServing.Api.Security;

/// <summary>
/// Decides <see cref="ApiKeyRequirement"/>: always met while authentication is off; otherwise the request's key must
/// have the scope and, when the route names a model, allow that model. The failure reason becomes the 403's message.
/// </summary>
internal sealed class ApiKeyRequirementHandler : AuthorizationHandler<ApiKeyRequirement>
{
    private readonly ApiKeyStore _store;

    public ApiKeyRequirementHandler(ApiKeyStore store) => _store = store;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiKeyRequirement requirement)
    {
        if (!_store.Enabled)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (context.User.Identity is not ApiKeyIdentity { Key: var key })
        {
            // Not authenticated: the middleware answers 401 with the authentication failure.
            return Task.CompletedTask;
        }

        if (ApiKeyRequirement.Refusal(key, requirement.Scope, (context.Resource as HttpContext)?.Request) is { } refusal)
        {
            context.Fail(new AuthorizationFailureReason(this, refusal));
            return Task.CompletedTask;
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
