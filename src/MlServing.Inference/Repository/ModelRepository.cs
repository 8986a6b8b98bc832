using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Errors;
using MlServing.Inference.Observability;

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
    private readonly ILogger<ModelRepository> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _initialLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ImmutableSortedDictionary<string, ModelEntry> _models = ImmutableSortedDictionary.Create<string, ModelEntry>(StringComparer.Ordinal);

    public ModelRepository(IOptions<ModelRepositoryOptions> options, ModelVersionLoader loader, EngineMetrics metrics, ILogger<ModelRepository> logger)
    {
        _builder = new ModelEntryBuilder(loader, metrics, logger);
        _metrics = metrics;
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

    /// <summary>
    /// The version a request asks for (no lease taken): a null version means the newest ready one; a null model
    /// name is allowed when exactly one model is served.
    /// </summary>
    public VersionLookup Find(string? name, string? version)
    {
        var models = _models;
        ModelEntry? entry;
        if (string.IsNullOrEmpty(name))
        {
            // The one model that serves, so that a broken or loading neighbour does not make 'model' mandatory.
            entry = null;
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

                if (entry is not null)
                {
                    return VersionLookup.Failed(InferenceError.NotFound("'model' is required when more than one model is served"));
                }

                entry = candidate;
            }

            entry ??= listed == 1 ? onlyListed : null;
            if (entry is null)
            {
                return VersionLookup.Failed(listed == 0
                    ? InferenceError.NotFound("no model is served")
                    : InferenceError.NotFound("'model' is required: no model serves yet, and there are several"));
            }
        }
        else if (!models.TryGetValue(name, out entry) || entry.Unloaded)
        {
            return VersionLookup.Failed(InferenceError.NotFound($"model '{name}' is not in the repository"));
        }

        return entry.Find(version);
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
                    await LoadModelCoreAsync(name, cancellationToken).ConfigureAwait(false);
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
    /// (Re)loads one model folder and returns the outcome of that attempt (a failed attempt leaves the versions
    /// already serving in place). Returns null when the folder does not exist.
    /// </summary>
    public async Task<ModelEntry?> LoadModelAsync(string name, CancellationToken cancellationToken)
    {
        if (!IsSafeName(name) || !Directory.Exists(Path.Combine(RootPath, name)))
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadModelCoreAsync(name, cancellationToken).ConfigureAwait(false);
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

        await RetireAsync(entry).ConfigureAwait(false);
        RepositoryLog.ModelUnloaded(_logger, name);
        return true;
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

    private async Task<ModelEntry> LoadModelCoreAsync(string name, CancellationToken cancellationToken)
    {
        var previous = _models.GetValueOrDefault(name);
        var entry = await _builder.BuildAsync(name, Path.Combine(RootPath, name), cancellationToken).ConfigureAwait(false);
        if (entry.Latest is null && previous?.Latest is not null)
        {
            // A failed reload leaves the serving versions in place; the failure is reported, not applied.
            RepositoryLog.ReloadFailedKeptPrevious(_logger, name, entry.Problem ?? "unknown");
            return entry;
        }

        Publish(entry);
        if (previous is not null)
        {
            // Not awaited: the replaced versions finish their requests in their own time; loads go on.
            _ = RetireAsync(previous);
        }

        return entry;
    }

    private void Publish(ModelEntry entry)
    {
        _models = _models.SetItem(entry.Name, entry);
        foreach (var version in entry.Versions)
        {
            _metrics.ModelReady.WithLabels(entry.Name, version.Version.ToString(CultureInfo.InvariantCulture)).Set(version.Loaded is null ? 0 : 1);
        }
    }

    private async Task RetireAsync(ModelEntry entry)
    {
        foreach (var version in entry.Versions)
        {
            if (version.Loaded is not { } loaded)
            {
                continue;
            }

            await loaded.DisposeAsync().ConfigureAwait(false);
            var current = _models.GetValueOrDefault(entry.Name);
            var stillListed = current is not null && Array.Exists(current.Versions, v => v.Version == version.Version);
            if (!stillListed)
            {
                _metrics.Remove(entry.Name, loaded.VersionText);
                VersionRemoved?.Invoke(entry.Name, loaded.VersionText);
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
