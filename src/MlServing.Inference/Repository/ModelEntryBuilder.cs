using Microsoft.Extensions.Logging;
using MlServing.Inference.Observability;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Repository;

/// <summary>Turns a model folder into a complete <see cref="ModelEntry"/>: config, version selection, every selected version loaded and warmed.</summary>
internal sealed class ModelEntryBuilder
{
    public const string ModelFileName = "model.onnx";

    private readonly ModelVersionLoader _loader;
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;

    public ModelEntryBuilder(ModelVersionLoader loader, EngineMetrics metrics, ILogger logger)
    {
        _loader = loader;
        _metrics = metrics;
        _logger = logger;
    }

    public async Task<ModelEntry> BuildAsync(string name, string folder, CancellationToken cancellationToken)
    {
        ModelConfig config;
        try
        {
            config = ModelConfigReader.Read(folder);
        }
        catch (ModelLoadException ex)
        {
            return Fail(name, ex.Message);
        }

        var available = VersionFolders.Scan(folder);
        if (available.Count == 0)
        {
            return Fail(name, $"no version folders (<model>/<positive integer>/{ModelFileName}) under {folder}");
        }

        var selected = VersionFolders.Select(config.VersionPolicy, available.Keys);
        var statuses = new ModelVersionStatus[selected.Count];
        for (var i = 0; i < selected.Count; i++)
        {
            statuses[i] = await LoadVersionAsync(name, selected[i], available.GetValueOrDefault(selected[i]), config, cancellationToken).ConfigureAwait(false);
        }

        var ready = Array.Exists(statuses, s => s.State == ModelState.Ready);
        return new ModelEntry(name, ready ? ModelState.Ready : ModelState.Unavailable, ready ? null : "no version could be loaded: " + ModelEntry.Describe(statuses), statuses);
    }

    private async Task<ModelVersionStatus> LoadVersionAsync(string name, long version, string? directory, ModelConfig config, CancellationToken cancellationToken)
    {
        string reason;
        if (directory is null)
        {
            reason = $"version {version} is listed in versionPolicy.specific but has no folder";
        }
        else if (!File.Exists(Path.Combine(directory, ModelFileName)))
        {
            reason = $"{ModelFileName} is missing in {directory}";
        }
        else
        {
            try
            {
                var loaded = await _loader.LoadAsync(name, version, Path.Combine(directory, ModelFileName), config, cancellationToken).ConfigureAwait(false);
                return new ModelVersionStatus(version, ModelState.Ready, null, loaded);
            }
            catch (ModelLoadException ex)
            {
                reason = ex.Message;
            }
        }

        RepositoryLog.VersionLoadFailed(_logger, name, version, reason);
        _metrics.ModelLoadFailures.WithLabels(name).Inc();
        return new ModelVersionStatus(version, ModelState.Unavailable, reason, null);
    }

    private ModelEntry Fail(string name, string reason)
    {
        RepositoryLog.ModelLoadFailed(_logger, name, reason);
        _metrics.ModelLoadFailures.WithLabels(name).Inc();
        return ModelEntry.Failed(name, reason);
    }
}
