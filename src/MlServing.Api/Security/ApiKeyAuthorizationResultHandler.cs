using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using MlServing.Api.Errors;
using MlServing.Inference.Errors;

namespace MlServing.Api.Security;

/// <summary>
/// Writes a refused authorization in the route's error format: 403 with the requirement's reason (scope or model);
/// a missing or unknown key goes to the scheme's challenge (401).
/// </summary>
internal sealed class ApiKeyAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var reason = "the API key does not allow this request";
        if (authorizeResult.AuthorizationFailure is { } failure)
        {
            foreach (var item in failure.FailureReasons)
            {
                reason = item.Message;
                break;
            }
        }

        return ErrorResponse.WriteAsync(context, InferenceError.Of(InferenceErrorKind.Forbidden, reason));
    }
}
