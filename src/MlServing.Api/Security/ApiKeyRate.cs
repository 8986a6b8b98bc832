using System.Globalization;
using System.Threading.RateLimiting;

namespace MlServing.Api.Security;

/// <summary>
/// A key's token bucket: <see cref="RequestsPerSecond"/> refill (0 = unlimited) and <see cref="Burst"/> tokens.
/// Rates of one or more refill once a second (rounded to whole requests); slower rates refill one token per period.
/// </summary>
public readonly record struct ApiKeyRate(double RequestsPerSecond, int Burst)
{
    public static readonly ApiKeyRate Unlimited = new(0, 0);

    public bool IsUnlimited => RequestsPerSecond <= 0;

    /// <summary>The limiter's options; refilled by the partitioned limiter's timer, never its own.</summary>
    public TokenBucketRateLimiterOptions ToLimiterOptions() => RequestsPerSecond >= 1
        ? new TokenBucketRateLimiterOptions
        {
            TokenLimit = Burst,
            TokensPerPeriod = (int)Math.Min(Math.Round(RequestsPerSecond), int.MaxValue),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        }
        : new TokenBucketRateLimiterOptions
        {
            TokenLimit = Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Min(1 / RequestsPerSecond, TimeSpan.MaxValue.TotalSeconds / 2)),
            QueueLimit = 0,
            AutoReplenishment = false,
        };

    /// <summary>Resolves a key's rate from its own settings and the defaults.</summary>
    public static ApiKeyRate Of(double? requestsPerSecond, int? burst, double defaultRequestsPerSecond, int defaultBurst)
    {
        var rate = requestsPerSecond ?? defaultRequestsPerSecond;
        if (rate <= 0)
        {
            return Unlimited;
        }

        var size = burst is > 0 ? burst.Value : defaultBurst > 0 ? defaultBurst : (int)Math.Clamp(Math.Ceiling(rate), 1, int.MaxValue);
        return new ApiKeyRate(rate, size);
    }

    public override string ToString() => IsUnlimited
        ? "unlimited"
        : string.Create(CultureInfo.InvariantCulture, $"{RequestsPerSecond:0.###} requests/s, burst {Burst}");
}
