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
        return services;
    }

    public static IApplicationBuilder UseMlServingHttpMetrics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var registry = app.ApplicationServices.GetRequiredService<CollectorRegistry>();
        DotNetStats.Register(registry);
        return app.UseHttpMetrics(options =>
        {
            options.InProgress.Registry = registry;
            options.RequestCount.Registry = registry;
            options.RequestDuration.Registry = registry;
        });
    }

    /// <summary>
    /// Starts the request record of an inference route (<see cref="InferenceRouteMetadata"/>) before authentication,
    /// authorization and rate limiting run, so their refusals are counted with the outcome they had.
    /// </summary>
    public static IApplicationBuilder UseMlServingRequestTelemetry(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.ApplicationServices.GetRequiredService<RequestMetrics>();
        var time = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<InferenceRouteMetadata>() is { } route)
            {
                RequestTelemetry.Start(context, route.Protocol, metrics, time);
            }

            return next(context);
        });
    }

    public static IEndpointConventionBuilder MapMlServingMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapMetrics("/metrics", app.ServiceProvider.GetRequiredService<CollectorRegistry>())
            .WithTags("Operations").WithDisplayName("Prometheus metrics");
    }
}
