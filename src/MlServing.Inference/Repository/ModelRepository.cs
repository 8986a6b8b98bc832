using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Errors;
using MlServing.Inference.Observability;
using MlServing.Inference.Rollout;

namespace MlServing.Inference.Repository;

/// <summary>
/// The Triton-layout model repository's state. Every model is an immutable <see cref="ModelEntry"/> published by
/// one reference write; a request reads the current map once and leases the version it found. Loads and unloads
/// are serialised; a failed reload leaves the serving versions in place; a replaced version is retired and
/// released after its last request.
/// </summary>
public sealed class ModelRepository : IAsyncDisposable
{
    private readonly ModelEntryBuilder _builder;
    private readonly EngineMetrics _metrics;
    private readonly RolloutMetrics _rollout;
    private readonly ILogger<ModelRepository> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _initialLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ImmutableSortedDictionary<string, ModelEntry> _models = ImmutableSortedDictionary.Create<string, ModelEntry>(StringComparer.Ordinal);

    public ModelRepository(IOptions<ModelRepositoryOptions> options, ModelVersionLoader loader, ModelIntegrity integrity, EngineMetrics metrics, RolloutMetrics rollout, ILogger<ModelRepository> logger)
    {
        _builder = new ModelEntryBuilder(loader, integrity, metrics, logger);
        _metrics = metrics;
        _rollout = rollout;
        _logger = logger;
        RootPath = ResolveRoot(options.Value.Path);
    }

    public string RootPath { get; }

    public bool InitialLoadCompleted => _initialLoad.Task.IsCompleted;

    /// <summary>Completes when the start-up scan has loaded (or failed) every model.</summary>
    public Task InitialLoad => _initialLoad.Task;

    public IEnumerable<ModelEntry> Models => _models.Values;

    /// <summary>Raised (model, version) when a version is no longer listed, so per-version series can go.</summary>
    public event Action<string, string>? VersionRemoved;

    public bool TryGetEntry(string name, out ModelEntry entry) => _models.TryGetValue(name, out entry!) && !entry.Unloaded;

    /// <summary>The entry of a model a request names (null: the one model that serves), or why there is none.</summary>
    public (ModelEntry? Entry, InferenceError? Error) FindEntry(string? name)
    {
        var models = _models;
        if (!string.IsNullOrEmpty(name))
        {
            return models.TryGetValue(name, out var named) && !named.Unloaded
                ? (named, null)
                : (null, InferenceError.NotFound($"model '{name}' is not in the repository"));
        }

        // The one model that serves, so that a broken or loading neighbour does not make 'model' mandatory.
        ModelEntry? serving = null;
        ModelEntry? onlyListed = null;
        var listed = 0;
        foreach (var candidate in models.Values)
        {
            if (candidate.Unloaded)
            {
                continue;
            }

            listed++;
            onlyListed = candidate;
            if (candidate.Latest is null)
            {
                continue;
            }

            if (serving is not null)
            {
                return (null, InferenceError.NotFound("'model' is required when more than one model is served"));
            }

            serving = candidate;
        }

        serving ??= listed == 1 ? onlyListed : null;
        return serving is not null ? (serving, null)
            : listed == 0 ? (null, InferenceError.NotFound("no model is served"))
            : (null, InferenceError.NotFound("'model' is required: no model serves yet, and there are several"));
    }

    /// <summary>
    /// The version a request asks for (no lease taken): a number or an alias; a null version means the newest ready one
    /// (the traffic policy is the engine service's business); a null model name is allowed when one model serves.
    /// </summary>
    public VersionLookup Find(string? name, string? version)
    {
        var (entry, error) = FindEntry(name);
        return entry is null ? VersionLookup.Failed(error!) : entry.Find(version);
    }

    /// <summary>Scans the repository and loads every model; healthy models are published as soon as each is ready.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!Directory.Exists(RootPath))
            {
                RepositoryLog.RepositoryMissing(_logger, RootPath);
                return;
            }

            var names = ModelFolderNames();
            RepositoryLog.RepositoryScanned(_logger, RootPath, names.Length);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var name in names)
                {
                    Publish(ModelEntry.Loading(name));
                }

                foreach (var name in names)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await LoadModelCoreAsync(name, keepTraffic: false, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            _initialLoad.TrySetResult();
        }
    }

    /// <summary>Marks start-up complete without loading anything (models come through the repository API).</summary>
    public Task LoadNothingAsync()
    {
        _initialLoad.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Applies one model folder as it is on disk and returns the outcome (a failed attempt leaves the versions already
    /// serving in place). Versions whose files and config are unchanged keep serving as they are. An explicit load
    /// drops a traffic policy set at run time; a load by the poller keeps it while config.json is unchanged. Returns
    /// null when the folder does not exist.
    /// </summary>
    public async Task<ModelEntry?> LoadModelAsync(string name, CancellationToken cancellationToken, bool keepTraffic = false)
    {
        if (!IsSafeName(name) || !Directory.Exists(Path.Combine(RootPath, name)))
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadModelCoreAsync(name, keepTraffic, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops serving a model: returns once its versions have finished their in-flight requests and released their sessions.</summary>
    public async Task<bool> UnloadModelAsync(string name, CancellationToken cancellationToken)
    {
        ModelEntry entry;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_models.TryGetValue(name, out entry!) || entry.Unloaded)
            {
                return false;
            }

            Publish(new ModelEntry(name, ModelState.Unavailable, "unloaded", [], unloaded: true));
        }
        finally
        {
            _gate.Release();
        }

        await RetireAsync(entry, null).ConfigureAwait(false);
        RepositoryLog.ModelUnloaded(_logger, name);
        return true;
    }

    /// <summary>
    /// Puts a traffic policy in force for a model (null: back to config.json's). It holds until config.json changes
    /// or the model is loaded again. Returns the entry now in force, or the error naming the field at fault.
    /// </summary>
    public async Task<(ModelEntry? Entry, InferenceError? Error)> SetTrafficAsync(string name, TrafficConfig? traffic, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryGetEntry(name, out var entry))
            {
                return (null, InferenceError.NotFound($"model '{name}' is not in the repository"));
            }

            var versions = Array.ConvertAll(entry.Versions, v => v.Version);
            var source = traffic ?? entry.Config.Traffic;
            var (policy, error) = source is null ? (null, null) : TrafficPolicy.Resolve(source, entry.Config.Aliases, versions, strict: traffic is not null);
            if (error is not null)
            {
                return (null, error);
            }

            var updated = entry.WithTraffic(policy, overridden: traffic is not null);
            Publish(updated);
            return (updated, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private string[] ModelFolderNames()
    {
        var names = new List<string>();
        foreach (var directory in Directory.GetDirectories(RootPath))
        {
            var name = Path.GetFileName(directory);
            if (!string.IsNullOrEmpty(name) && !name.StartsWith('.'))
            {
                names.Add(name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names];
    }

    private async Task<ModelEntry> LoadModelCoreAsync(string name, bool keepTraffic, CancellationToken cancellationToken)
    {
        var previous = _models.GetValueOrDefault(name);
        var current = previous is { Unloaded: false } ? previous : null;
        var entry = await _builder.BuildAsync(name, Path.Combine(RootPath, name), current, PublishLoading, cancellationToken).ConfigureAwait(false);
        if (entry.Latest is null && current?.Latest is not null)
        {
            // A failed reload leaves the serving versions in place; the failure is reported, not applied.
            RepositoryLog.ReloadFailedKeptPrevious(_logger, name, entry.Problem ?? "unknown");
            Publish(current);
            return entry;
        }

        if (keepTraffic && current is { TrafficOverridden: true } && current.ConfigFingerprint == entry.ConfigFingerprint)
        {
            var (policy, error) = TrafficPolicy.Resolve(current.Traffic!.Source, entry.Config.Aliases, Array.ConvertAll(entry.Versions, v => v.Version), strict: true);
            entry = error is null ? entry.WithTraffic(policy, overridden: true) : entry;
        }

        Publish(entry);
        if (previous is not null)
        {
            // Not awaited: the replaced versions finish their requests in their own time; loads go on.
            _ = RetireAsync(previous, entry);
        }

        return entry;

        // While new versions load, the unchanged ones keep serving (and a canary still loading gets no traffic).
        void PublishLoading(ModelEntry loading)
        {
            if (loading.Latest is not null || current?.Latest is null)
            {
                Publish(current is { TrafficOverridden: true } && keepTraffic ? loading.WithTraffic(current.Traffic, overridden: true) : loading);
            }
        }
    }

    private void Publish(ModelEntry entry)
    {
        _models = _models.SetItem(entry.Name, entry);
        foreach (var version in entry.Versions)
        {
            _metrics.ModelReady.WithLabels(entry.Name, version.Version.ToString(CultureInfo.InvariantCulture)).Set(version.Loaded is null ? 0 : 1);
        }

        _rollout.Weights(entry);
    }

    /// <summary>Retires the versions of <paramref name="old"/> that <paramref name="next"/> does not keep.</summary>
    private async Task RetireAsync(ModelEntry old, ModelEntry? next)
    {
        foreach (var version in old.Versions)
        {
            if (version.Loaded is not { } loaded || (next is not null && Array.Exists(next.Versions, v => ReferenceEquals(v.Loaded, loaded))))
            {
                continue;
            }

            await loaded.DisposeAsync().ConfigureAwait(false);
            var current = _models.GetValueOrDefault(old.Name);
            var stillListed = current is not null && Array.Exists(current.Versions, v => v.Version == version.Version);
            if (!stillListed)
            {
                _metrics.Remove(old.Name, loaded.VersionText);
                _rollout.RemoveWeight(old.Name, loaded.VersionText);
                VersionRemoved?.Invoke(old.Name, loaded.VersionText);
            }
        }
    }

    private static bool IsSafeName(string name) =>
        !string.IsNullOrWhiteSpace(name) && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && name is not "." and not ".." && !name.Contains('/') && !name.Contains('\\');

    private static string ResolveRoot(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var fromWorkingDirectory = Path.GetFullPath(path);
        if (Directory.Exists(fromWorkingDirectory))
        {
            return fromWorkingDirectory;
        }

        var fromApp = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
        return Directory.Exists(fromApp) ? fromApp : fromWorkingDirectory;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var models = _models;
            _models = _models.Clear();
            foreach (var entry in models.Values)
            {
                foreach (var version in entry.Versions)
                {
                    if (version.Loaded is { } loaded)
                    {
                        await loaded.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
