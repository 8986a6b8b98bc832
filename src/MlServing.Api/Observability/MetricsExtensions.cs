using Prometheus;

namespace MlServing.Api.Observability;

public static class MetricsExtensions
{
    private static int _meterAdapterConfigured;

    /// <summary>
    /// One source of HTTP metrics, deliberately: prometheus-net's middleware. ASP.NET Core's own meters
    /// (which prometheus-net would otherwise republish) are filtered out so no request is measured twice.
    /// .NET runtime and process metrics stay.
    /// </summary>
    public static IServiceCollection AddMlServingMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (Interlocked.Exchange(ref _meterAdapterConfigured, 1) == 0)
        {
            Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = static instrument =>
                !instrument.Meter.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                && !instrument.Meter.Name.StartsWith("System.Net", StringComparison.Ordinal)
                && !instrument.Meter.Name.StartsWith("Microsoft.Extensions.Diagnostics.ResourceMonitoring", StringComparison.Ordinal));
        }

        return services;
    }

    public static IApplicationBuilder UseMlServingHttpMetrics(this IApplicationBuilder app) =>
        app.UseHttpMetrics();

    public static IEndpointConventionBuilder MapMlServingMetrics(this IEndpointRouteBuilder app) =>
        app.MapMetrics("/metrics").WithTags("Operations").WithDisplayName("Prometheus metrics");
}
