using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Observability;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Repository;

/// <summary>
/// The Triton-layout model repository. Every model is an immutable <see cref="ModelEntry"/> published by one
/// reference write; a request reads the current map once. Loads and unloads are serialised; a failed reload
/// leaves the serving versions in place.
/// </summary>
public sealed class ModelRepository : IAsyncDisposable
{
    public const string ModelFileName = "model.onnx";
    public const string ConfigFileName = "config.json";

    private static readonly ModelConfigValidator ConfigValidator = new();

    private readonly ModelVersionLoader _loader;
    private readonly MlServingMetrics _metrics;
    private readonly ILogger<ModelRepository> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile ImmutableSortedDictionary<string, ModelEntry> _models = ImmutableSortedDictionary.Create<string, ModelEntry>(StringComparer.Ordinal);
    private readonly TaskCompletionSource _initialLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ModelRepository(IOptions<ModelRepositoryOptions> options, ModelVersionLoader loader, MlServingMetrics metrics, ILogger<ModelRepository> logger)
    {
        _loader = loader;
        _metrics = metrics;
        _logger = logger;
        RootPath = ResolveRoot(options.Value.Path);
    }

    public string RootPath { get; }

    public bool InitialLoadCompleted => _initialLoad.Task.IsCompleted;

    /// <summary>Completes when the start-up scan has loaded (or failed) every model.</summary>
    public Task InitialLoad => _initialLoad.Task;

    public IEnumerable<ModelEntry> Models => _models.Values;

    public bool TryGetEntry(string name, out ModelEntry entry) => _models.TryGetValue(name, out entry!);

    /// <summary>Finds the version a request asks for; a null version means the newest ready one.</summary>
    public ModelLookup Resolve(string? name, string? version)
    {
        var models = _models;
        if (string.IsNullOrEmpty(name))
        {
            return ResolveSingle(models, version);
        }

        if (!models.TryGetValue(name, out var entry) || entry.Unloaded)
        {
            return new(ModelLookupStatus.ModelNotFound, null, $"model '{name}' is not in the repository");
        }

        return Resolve(entry, version);
    }

    private static ModelLookup ResolveSingle(ImmutableSortedDictionary<string, ModelEntry> models, string? version)
    {
        ModelEntry? only = null;
        foreach (var entry in models.Values)
        {
            if (entry.Unloaded)
            {
                continue;
            }

            if (only is not null)
            {
                return new(ModelLookupStatus.ModelNotFound, null, "'model' is required when more than one model is served");
            }

            only = entry;
        }

        return only is null
            ? new(ModelLookupStatus.ModelNotFound, null, "no model is served")
            : Resolve(only, version);
    }

    private static ModelLookup Resolve(ModelEntry entry, string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            if (entry.Latest is { } latest)
            {
                return ModelLookup.Found(latest);
            }

            var why = entry.State == ModelState.Loading ? "is still loading" : "has no ready version" + (entry.Reason is null ? string.Empty : ": " + entry.Reason);
            return new(ModelLookupStatus.NotReady, null, $"model '{entry.Name}' {why}");
        }

        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return new(ModelLookupStatus.VersionNotFound, null, $"version '{version}' is not a positive integer");
        }

        foreach (var status in entry.Versions)
        {
            if (status.Version == number)
            {
                return status.Loaded is { } loaded
                    ? ModelLookup.Found(loaded)
                    : new(ModelLookupStatus.NotReady, null, $"model '{entry.Name}' version {number} is {status.State.ToString().ToLowerInvariant()}{(status.Reason is null ? string.Empty : ": " + status.Reason)}");
            }
        }

        return new(ModelLookupStatus.VersionNotFound, null, $"model '{entry.Name}' has no version {number}");
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

            var names = Directory.GetDirectories(RootPath).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
            RepositoryLog.RepositoryScanned(_logger, RootPath, names.Length);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var name in names)
                {
                    Publish(ModelEntry.Loading(name!));
                }

                foreach (var name in names)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await LoadModelCoreAsync(name!, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Stops serving a model: its versions drain their in-flight work, then release their sessions.</summary>
    public async Task<bool> UnloadModelAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_models.TryGetValue(name, out var entry) || entry.Unloaded)
            {
                return false;
            }

            Publish(new ModelEntry(name, ModelState.Unavailable, "unloaded", [], unloaded: true));
            await RetireAsync(entry).ConfigureAwait(false);
            RepositoryLog.ModelUnloaded(_logger, name);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ModelEntry> LoadModelCoreAsync(string name, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(RootPath, name);
        var previous = _models.GetValueOrDefault(name);
        var entry = await BuildEntryAsync(name, folder, cancellationToken).ConfigureAwait(false);

        if (entry.Latest is null && previous?.Latest is not null)
        {
            // A failed reload leaves the serving versions in place; the failure is reported, not applied.
            RepositoryLog.ReloadFailedKeptPrevious(_logger, name, entry.Reason ?? FirstReason(entry));
            return entry;
        }

        Publish(entry);
        if (previous is not null)
        {
            await RetireAsync(previous).ConfigureAwait(false);
        }

        return entry;
    }

    private async Task<ModelEntry> BuildEntryAsync(string name, string folder, CancellationToken cancellationToken)
    {
        ModelConfig config;
        try
        {
            config = ReadConfig(folder);
        }
        catch (ModelLoadException ex)
        {
            return Fail(name, ex.Message);
        }

        var available = new SortedDictionary<long, string>(Comparer<long>.Create((a, b) => b.CompareTo(a)));
        foreach (var directory in Directory.GetDirectories(folder))
        {
            if (long.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
            {
                available[number] = directory;
            }
        }

        if (available.Count == 0)
        {
            return Fail(name, $"no version folders (<model>/<positive integer>/{ModelFileName}) under {folder}");
        }

        var selected = SelectVersions(config.VersionPolicy, available.Keys);
        var statuses = new List<ModelVersionStatus>(selected.Count);
        foreach (var version in selected)
        {
            statuses.Add(await LoadVersionAsync(name, version, available.GetValueOrDefault(version), config, cancellationToken).ConfigureAwait(false));
        }

        var ready = statuses.Exists(s => s.State == ModelState.Ready);
        return new ModelEntry(
            name,
            ready ? ModelState.Ready : ModelState.Unavailable,
            ready ? null : "no version could be loaded: " + string.Join("; ", statuses.Select(s => $"version {s.Version}: {s.Reason}")),
            [.. statuses]);
    }

    private async Task<ModelVersionStatus> LoadVersionAsync(string name, long version, string? directory, ModelConfig config, CancellationToken cancellationToken)
    {
        var versionText = version.ToString(CultureInfo.InvariantCulture);
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
                loaded.Metrics.Ready.Set(1);
                return new ModelVersionStatus(version, ModelState.Ready, null, loaded);
            }
            catch (ModelLoadException ex)
            {
                reason = ex.Message;
            }
        }

        RepositoryLog.VersionLoadFailed(_logger, name, version, reason);
        _metrics.ModelLoadFailures.WithLabels(name).Inc();
        _metrics.ModelReady.WithLabels(name, versionText).Set(0);
        return new ModelVersionStatus(version, ModelState.Unavailable, reason, null);
    }

    private ModelEntry Fail(string name, string reason)
    {
        RepositoryLog.ModelLoadFailed(_logger, name, reason);
        _metrics.ModelLoadFailures.WithLabels(name).Inc();
        return ModelEntry.Failed(name, reason);
    }

    private static ModelConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFileName);
        if (!File.Exists(path))
        {
            return ModelConfig.Empty;
        }

        ModelConfig? config;
        try
        {
            using var stream = File.OpenRead(path);
            config = JsonSerializer.Deserialize(stream, ModelConfigJsonContext.Default.ModelConfig);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"{ConfigFileName} is not valid: {ex.Message}", ex);
        }

        if (config is null)
        {
            throw new ModelLoadException($"{ConfigFileName} is empty (null)");
        }

        var result = ConfigValidator.Validate(config);
        if (!result.IsValid)
        {
            throw new ModelLoadException($"{ConfigFileName} is not valid: " + string.Join(" ", result.Errors.Select(e => e.ErrorMessage)));
        }

        return config;
    }

    private static List<long> SelectVersions(VersionPolicyConfig? policy, IEnumerable<long> newestFirst)
    {
        if (policy?.All == true)
        {
            return [.. newestFirst];
        }

        if (policy?.Specific is { } specific)
        {
            return [.. specific.Distinct().OrderDescending()];
        }

        return [.. newestFirst.Take(policy?.Latest ?? 1)];
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
        var current = _models.GetValueOrDefault(entry.Name);
        foreach (var version in entry.Versions)
        {
            if (version.Loaded is not { } loaded)
            {
                continue;
            }

            await loaded.DisposeAsync().ConfigureAwait(false);
            var stillListed = current is not null && Array.Exists(current.Versions, v => v.Version == version.Version);
            if (!stillListed)
            {
                _metrics.Remove(entry.Name, loaded.VersionText);
            }
        }
    }

    private static string FirstReason(ModelEntry entry) =>
        entry.Versions.FirstOrDefault(v => v.Reason is not null)?.Reason ?? "unknown";

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
