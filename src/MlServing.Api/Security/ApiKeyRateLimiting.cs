using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using MlServing.Api.Errors;
using MlServing.Inference.Errors;

namespace MlServing.Api.Security;

/// <summary>
/// One token bucket per key (partitioned by the key's name and rate, so a changed rate starts a new bucket) in front
/// of every route that needs a key. Requests without a key, keys without a rate and open routes are not limited.
/// A refused request is a 429 with <c>Retry-After</c> in the route's error format.
/// </summary>
internal static class ApiKeyRateLimiting
{
    private static readonly ConditionalWeakTable<PartitionedRateLimiter<HttpContext>, object?> Own = [];

    public static void Configure(RateLimiterOptions options)
    {
        var limiter = PartitionedRateLimiter.Create<HttpContext, Partition>(PartitionOf);
        Own.Add(limiter, null);
        options.GlobalLimiter = limiter;
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = static (context, _) => new ValueTask(RejectAsync(context));
    }

    /// <summary>Whether <paramref name="limiter"/> is one this class made (and nothing replaced it since).</summary>
    public static bool IsOwn(PartitionedRateLimiter<HttpContext> limiter) => Own.TryGetValue(limiter, out _);

    private static RateLimitPartition<Partition> PartitionOf(HttpContext context)
    {
        if (context.User.Identity is ApiKeyIdentity { Key: { Rate.IsUnlimited: false } key }
            && context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
        {
            return RateLimitPartition.GetTokenBucketLimiter(new Partition(key.Name, key.Rate), static partition => partition.Rate.ToLimiterOptions());
        }

        return RateLimitPartition.GetNoLimiter(Partition.None);
    }

    private static Task RejectAsync(OnRejectedContext context)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, int.MaxValue)
            : 1;
        var key = (context.HttpContext.User.Identity as ApiKeyIdentity)?.Key;
        var message = string.Create(CultureInfo.InvariantCulture, $"the API key '{key?.Name}' is over its rate ({key?.Rate}); retry after {seconds} s");
        return ErrorResponse.WriteAsync(context.HttpContext, InferenceError.Retryable(InferenceErrorKind.RateLimited, message, seconds));
    }

    /// <summary>A key's bucket; <see cref="None"/> is the shared unlimited partition.</summary>
    private readonly record struct Partition(string Name, ApiKeyRate Rate)
    {
        public static readonly Partition None = new(string.Empty, ApiKeyRate.Unlimited);
    }
}
