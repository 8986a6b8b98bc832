using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using MlServing.Api.Errors;
using MlServing.Inference.Errors;

namespace MlServing.Api.Security;

/// <summary>
/// The authorization step while keys are configured. Each endpoint's policy is combined once, the framework's way
/// (<see cref="AuthorizationPolicy.CombineAsync(IAuthorizationPolicyProvider, IEnumerable{IAuthorizeData}, IEnumerable{AuthorizationPolicy})"/>);
/// a policy made only of <see cref="ApiKeyRequirement"/>s (every policy this service declares) is then decided here
/// with the same rule as <see cref="ApiKeyRequirementHandler"/>, without the per-request handler context, handler
/// enumeration and evaluator of the framework's middleware, which cost more than the whole rest of the security
/// path. Any other policy (another requirement, its own schemes) goes to the framework's <see cref="AuthorizationMiddleware"/>.
/// </summary>
internal sealed class ApiKeyAuthorizationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly AuthorizationMiddleware _framework;
    private readonly IAuthorizationPolicyProvider _policies;
    private readonly ConcurrentDictionary<Endpoint, EndpointAccess> _access = new();

    public ApiKeyAuthorizationMiddleware(RequestDelegate next, IAuthorizationPolicyProvider policies, IServiceProvider services)
    {
        _next = next;
        _policies = policies;
        _framework = new AuthorizationMiddleware(next, policies, services);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint)
        {
            return _framework.Invoke(context);
        }

        if (!_policies.AllowsCachingPolicies)
        {
            return _framework.Invoke(context);
        }

        return _access.TryGetValue(endpoint, out var access) ? AuthorizeAsync(context, access) : ClassifyThenAuthorizeAsync(context, endpoint);
    }

    private async Task ClassifyThenAuthorizeAsync(HttpContext context, Endpoint endpoint)
    {
        var access = _access.GetOrAdd(endpoint, await EndpointAccess.OfAsync(endpoint, _policies));
        await AuthorizeAsync(context, access);
    }

    private Task AuthorizeAsync(HttpContext context, EndpointAccess access)
    {
        if (access.Open)
        {
            return _next(context);
        }

        if (access.Scope is not { } scope)
        {
            return _framework.Invoke(context);
        }

        if (context.User.Identity is not ApiKeyIdentity { Key: var key })
        {
            return context.ChallengeAsync();
        }

        return ApiKeyRequirement.Refusal(key, scope, context.Request) is { } refusal
            ? ErrorResponse.WriteAsync(context, InferenceError.Of(InferenceErrorKind.Forbidden, refusal))
            : _next(context);
    }

    /// <summary>What an endpoint needs: nothing (<see cref="Open"/>), a key with <see cref="Scope"/>, or the framework (both unset).</summary>
    private sealed class EndpointAccess
    {
        private static readonly EndpointAccess OpenAccess = new(open: true, scope: null);
        private static readonly EndpointAccess Framework = new(open: false, scope: null);

        private EndpointAccess(bool open, ApiKeyScopes? scope)
        {
            Open = open;
            Scope = scope;
        }

        public bool Open { get; }

        public ApiKeyScopes? Scope { get; }

        public static async Task<EndpointAccess> OfAsync(Endpoint endpoint, IAuthorizationPolicyProvider policies)
        {
            var metadata = endpoint.Metadata;
            if (metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                return OpenAccess;
            }

            var policy = await AuthorizationPolicy.CombineAsync(policies, metadata.GetOrderedMetadata<IAuthorizeData>(), metadata.GetOrderedMetadata<AuthorizationPolicy>());
            if (policy is null)
            {
                return OpenAccess;
            }

            if (policy.AuthenticationSchemes.Count > 0)
            {
                return Framework;
            }

            var scope = ApiKeyScopes.None;
            foreach (var requirement in policy.Requirements)
            {
                if (requirement is not ApiKeyRequirement apiKey)
                {
                    return Framework;
                }

                scope |= apiKey.Scope;
            }

            return new EndpointAccess(open: false, scope);
        }
    }
}
