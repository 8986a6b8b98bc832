using Microsoft.Extensions.Logging;
using MlServing.Inference.Observability;
using MlServing.Inference.Rollout;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Repository;

/// <summary>
/// Turns a model folder into a complete <see cref="ModelEntry"/>: config, version selection, integrity, every selected
/// version loaded and warmed. Versions whose files and config are unchanged since the previous entry are kept as they
/// are (no reload, no new session).
/// </summary>
internal sealed class ModelEntryBuilder
{
    public const string ModelFileName = "model.onnx";

    private readonly ModelVersionLoader _loader;
    private readonly ModelIntegrity _integrity;
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;

    public ModelEntryBuilder(ModelVersionLoader loader, ModelIntegrity integrity, EngineMetrics metrics, ILogger logger)
    {
        _loader = loader;
        _integrity = integrity;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Builds the entry. <paramref name="publishLoading"/> is called once before any version loads, with an entry in
    /// which the versions kept from <paramref name="previous"/> serve and the others are loading.
    /// </summary>
    public async Task<ModelEntry> BuildAsync(string name, string folder, ModelEntry? previous, Action<ModelEntry>? publishLoading, CancellationToken cancellationToken)
    {
        var folderFingerprint = VersionFolders.FolderFingerprint(folder);
        var configFingerprint = VersionFolders.ConfigFingerprint(folder);
        ModelConfig config;
        try
        {
            config = ModelConfigReader.Read(folder);
        }
        catch (ModelLoadException ex)
        {
            return Fail(name, ex.Message, folderFingerprint);
        }

        var available = VersionFolders.Scan(folder);
        if (available.Count == 0)
        {
            return Fail(name, $"no version folders (<model>/<positive integer>/{ModelFileName}) under {folder}", folderFingerprint);
        }

        var selected = VersionFolders.Select(config.VersionPolicy, available.Keys);
        var (traffic, trafficError) = config.Traffic is { } configured ? TrafficPolicy.Resolve(configured, config.Aliases, selected, strict: false) : (null, null);
        if (trafficError is not null)
        {
            return Fail(name, $"{ModelConfigReader.FileName} traffic is not valid: {trafficError.Message}", folderFingerprint);
        }

        var reusable = previous is not null && previous.ConfigFingerprint == configFingerprint ? previous : null;
        var statuses = new ModelVersionStatus[selected.Count];
        var toLoad = new List<int>();
        for (var i = 0; i < selected.Count; i++)
        {
            var directory = available.GetValueOrDefault(selected[i]);
            var fingerprint = directory is null ? string.Empty : VersionFolders.Fingerprint(directory);
            var kept = reusable?.Versions.FirstOrDefault(v => v.Version == selected[i] && v.Loaded is not null && v.Fingerprint == fingerprint);
            if (kept is not null)
            {
                statuses[i] = kept;
            }
            else
            {
                statuses[i] = new ModelVersionStatus(selected[i], ModelState.Loading, null, null, fingerprint);
                toLoad.Add(i);
            }
        }

        if (toLoad.Count > 0 && publishLoading is not null)
        {
            publishLoading(Entry(name, config, configFingerprint, folderFingerprint, traffic, [.. statuses]));
        }

        foreach (var i in toLoad)
        {
            statuses[i] = await LoadVersionAsync(name, selected[i], available.GetValueOrDefault(selected[i]), statuses[i].Fingerprint, config, cancellationToken).ConfigureAwait(false);
        }

        return Entry(name, config, configFingerprint, folderFingerprint, traffic, statuses);
    }

    private static ModelEntry Entry(string name, ModelConfig config, string configFingerprint, string folderFingerprint, TrafficPolicy? traffic, ModelVersionStatus[] statuses)
    {
        var ready = Array.Exists(statuses, s => s.State == ModelState.Ready);
        var loading = Array.Exists(statuses, s => s.State == ModelState.Loading);
        var state = ready ? ModelState.Ready : loading ? ModelState.Loading : ModelState.Unavailable;
        var reason = ready || loading ? null : "no version could be loaded: " + ModelEntry.Describe(statuses);
        return new ModelEntry(name, state, reason, statuses, config: config, configFingerprint: configFingerprint)
        {
            FolderFingerprint = folderFingerprint,
            Traffic = traffic,
        };
    }

    private async Task<ModelVersionStatus> LoadVersionAsync(string name, long version, string? directory, string fingerprint, ModelConfig config, CancellationToken cancellationToken)
    {
        string? reason;
        var modelPath = directory is null ? null : Path.Combine(directory, ModelFileName);
        if (modelPath is null)
        {
            reason = $"version {version} is listed in versionPolicy.specific but has no folder";
        }
        else if (!File.Exists(modelPath))
        {
            reason = $"{ModelFileName} is missing in {directory}";
        }
        else if ((reason = _integrity.Check(modelPath)) is null)
        {
            try
            {
                var loaded = await _loader.LoadAsync(name, version, modelPath, config, cancellationToken).ConfigureAwait(false);
                return new ModelVersionStatus(version, ModelState.Ready, null, loaded, fingerprint);
            }
            catch (ModelLoadException ex)
            {
                reason = ex.Message;
            }
        }

        RepositoryLog.VersionLoadFailed(_logger, name, version, reason);
        _metrics.ModelLoadFailures.WithLabels(name).Inc();
        return new ModelVersionStatus(version, ModelState.Unavailable, reason, null, fingerprint);
    }

    private ModelEntry Fail(string name, string reason, string folderFingerprint)
    {
        RepositoryLog.ModelLoadFailed(_logger, name, reason);
        _metrics.ModelLoadFailures.WithLabels(name).Inc();
        return new ModelEntry(name, ModelState.Unavailable, reason, []) { FolderFingerprint = folderFingerprint };
    }
}
