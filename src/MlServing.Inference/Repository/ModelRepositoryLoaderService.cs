using Microsoft.Extensions.Hosting;

namespace MlServing.Inference.Repository;

/// <summary>Loads the repository in the background so the process (and liveness) is up while models load.</summary>
internal sealed class ModelRepositoryLoaderService : BackgroundService
{
    private readonly ModelRepository _repository;
    private readonly bool _loadOnStartup;

    public ModelRepositoryLoaderService(ModelRepository repository, Microsoft.Extensions.Options.IOptions<ModelRepositoryOptions> options)
    {
        _repository = repository;
        _loadOnStartup = options.Value.LoadOnStartup;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _loadOnStartup ? _repository.LoadAllAsync(stoppingToken) : _repository.LoadNothingAsync();
}
