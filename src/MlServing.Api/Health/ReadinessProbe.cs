using Microsoft.Extensions.Options;
using MlServing.Inference.Repository;

namespace MlServing.Api.Health;

/// <summary>Readiness for both <c>/health/ready</c> and <c>/v2/health/ready</c>: models loaded and warmed, not draining.</summary>
public sealed class ReadinessProbe
{
    private readonly ModelRepository _repository;
    private readonly IOptionsMonitor<ReadinessOptions> _options;
    private volatile bool _draining;

    public ReadinessProbe(ModelRepository repository, IOptionsMonitor<ReadinessOptions> options, IHostApplicationLifetime lifetime)
    {
        _repository = repository;
        _options = options;
        lifetime.ApplicationStopping.Register(() => _draining = true);
    }

    public bool Draining => _draining;

    public RepositoryReadiness Evaluate() => _draining
        ? new RepositoryReadiness(false, "shutting down")
        : RepositoryReadiness.Evaluate(_repository, _options.CurrentValue.Strict);
}
