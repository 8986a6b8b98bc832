using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace MlServing.Api.Security;

/// <summary>
/// The rate-limiting step while keys are configured. When the global limiter is the service's own (token buckets per
/// key, <see cref="ApiKeyRateLimiting"/>) and the endpoint names no rate-limiting policy of its own, the request takes
/// its token here from that limiter and a refusal goes to the configured <see cref="RateLimiterOptions.OnRejected"/>,
/// as <see cref="RateLimitingMiddleware"/> would do, without its per-request asynchronous wrapper around the rest of
/// the pipeline (a token-bucket lease holds nothing, so it is released at once). Anything else goes to that middleware.
/// </summary>
internal sealed class ApiKeyRateLimitingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RequestDelegate _framework;
    private readonly RateLimiterOptions _options;
    private readonly PartitionedRateLimiter<HttpContext>? _limiter;

    public ApiKeyRateLimitingMiddleware(RequestDelegate next, IOptions<RateLimiterOptions> options, IServiceProvider services)
    {
        _next = next;
        _options = options.Value;
        _limiter = _options.GlobalLimiter is { } limiter && ApiKeyRateLimiting.IsOwn(limiter) && _options.OnRejected is not null ? limiter : null;
        var framework = new ApplicationBuilder(services);
        framework.UseRateLimiter();
        framework.Run(next);
        _framework = framework.Build();
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_limiter is null || context.GetEndpoint()?.Metadata is { } metadata
            && (metadata.GetMetadata<EnableRateLimitingAttribute>() is not null || metadata.GetMetadata<DisableRateLimitingAttribute>() is not null))
        {
            return _framework(context);
        }

        var lease = _limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            lease.Dispose();
            return _next(context);
        }

        return RejectAsync(context, lease);
    }

    private async Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        using (lease)
        {
            context.Response.StatusCode = _options.RejectionStatusCode;
            await _options.OnRejected!(new OnRejectedContext { HttpContext = context, Lease = lease }, context.RequestAborted);
        }
    }
}
