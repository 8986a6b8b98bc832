using Prometheus;

namespace MlServing.Api.Observability;

public static class MetricsExtensions
{
    private static int _defaultsConfigured;

    /// <summary>
    /// Metrics live on the host's own registry (the engine registers it), so two hosts in one process never share
    /// series. prometheus-net's default registry is left unused, and its republishing of ASP.NET Core's meters and the
    /// runtime's event counters (every request measured twice; names promtool rejects) is switched off; its process and
    /// GC collectors (process_*, dotnet_*) are registered on the host's registry as the .NET runtime metrics.
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
                SuppressProcessMetrics = true,
                SuppressDebugMetrics = true,
            });
        }

        services.AddSingleton<RequestMetrics>();
        services.AddSingleton<HttpRequestMetrics>();
        return services;
    }

    /// <summary>
    /// The one observing middleware (<see cref="RequestObservation"/>): request id, HTTP and inference request metrics,
    /// the request log line. It runs before authentication, authorization and rate limiting, so their refusals are
    /// counted and logged like any answer. Also registers the .NET runtime collectors on the host's registry.
    /// </summary>
    public static IApplicationBuilder UseMlServingObservation(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        DotNetStats.Register(app.ApplicationServices.GetRequiredService<CollectorRegistry>());
        return app.UseMiddleware<RequestObservation>();
    }

    public static IEndpointConventionBuilder MapMlServingMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapMetrics("/metrics", app.ServiceProvider.GetRequiredService<CollectorRegistry>())
            .WithTags("Operations").WithDisplayName("Prometheus metrics");
    }
}
