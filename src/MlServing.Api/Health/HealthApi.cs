using Microsoft.AspNetCore.Http.HttpResults;
using MlServing.Api.Security;
using MlServing.Inference.Caching;
using MlServing.Inference.Repository;

namespace MlServing.Api.Health;

/// <summary>Kubernetes probes (docs/OBSERVABILITY.md): liveness never depends on models; readiness names what is missing.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var health = app.MapGroup("/health").WithTags("Health").OpenWithoutKey();
        health.MapGet("/live", () => TypedResults.Ok(new HealthReport("live", null, null)))
            .WithName("Live").WithSummary("Liveness: the process is up (no dependency checks).");
        health.MapGet("/ready", GetReady)
            .WithName("Ready").WithSummary("Readiness: 200 once every model loaded and ran its warm-up; 503 with the reason otherwise.");
        return app;
    }

    private static Results<Ok<HealthReport>, JsonHttpResult<HealthReport>> GetReady(ReadinessProbe probe, ModelRepository repository, PredictionCache cache)
    {
        // A degraded cache is reported but never fails readiness: predictions still come from the models.
        var readiness = probe.Evaluate();
        var report = new HealthReport(readiness.Ready ? "ready" : "not_ready", readiness.Ready ? null : readiness.Reason, Describe(repository), cache.Health);
        return readiness.Ready ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static ModelHealth[] Describe(ModelRepository repository) =>
        [.. repository.Models.Select(m => new ModelHealth(
            m.Name,
            m.Unloaded ? "unloaded" : m.State.ToString().ToLowerInvariant(),
            m.Reason,
            [.. m.Versions.Select(v => new VersionHealth(v.Version, v.State.ToString().ToLowerInvariant(), v.Reason))]))];
}
