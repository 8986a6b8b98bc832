using Prometheus;

namespace MlServing.Api.Observability;

public static class MetricsExtensions
{
    private static int _defaultsConfigured;

    /// <summary>
    /// One source of HTTP metrics, deliberately: prometheus-net's middleware. prometheus-net would otherwise
    /// republish ASP.NET Core's own meters (every request measured twice) and the runtime's meters and event
    /// counters under names promtool rejects (gauges ending in _count or _total); its own process and GC
    /// collectors (process_*, dotnet_*) stay as the .NET runtime metrics.
    /// </summary>
    public static IServiceCollection AddMlServingMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (Interlocked.Exchange(ref _defaultsConfigured, 1) == 0)
        {
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
            {
                SuppressMeters = true,
                SuppressEventCounters = true,
                SuppressProcessMetrics = false,
                SuppressDebugMetrics = false,
            });
        }

        return services;
    }

    public static IApplicationBuilder UseMlServingHttpMetrics(this IApplicationBuilder app) =>
        app.UseHttpMetrics();

    public static IEndpointConventionBuilder MapMlServingMetrics(this IEndpointRouteBuilder app) =>
        app.MapMetrics("/metrics").WithTags("Operations").WithDisplayName("Prometheus metrics");
}
