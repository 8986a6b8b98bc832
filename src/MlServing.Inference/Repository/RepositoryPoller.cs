using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlServing.Inference.Repository;

/// <summary>
/// Applies the repository folder as it is on disk every <c>PollSeconds</c>: new and changed models (model files or
/// config.json) are loaded, removed ones unloaded. A model folder is applied only once it has looked the same for a
/// whole interval, so a model still being copied in is never loaded half-written.
/// </summary>
internal sealed class RepositoryPoller : BackgroundService
{
    private readonly ModelRepository _repository;
    private readonly TimeProvider _time;
    private readonly ILogger<RepositoryPoller> _logger;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _attempted = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _polled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RepositoryPoller(ModelRepository repository, IOptions<ModelRepositoryOptions> options, TimeProvider time, ILogger<RepositoryPoller> logger)
    {
        _repository = repository;
        _time = time;
        _logger = logger;
        _interval = TimeSpan.FromSeconds(options.Value.PollSeconds);
    }

    /// <summary>Completes when the next scan (and what it applied) has finished; for tests that drive the clock.</summary>
    internal Task NextPoll => Volatile.Read(ref _polled).Task;

    /// <summary>Completes once the poll timer runs (after the start-up load); for tests that drive the clock.</summary>
    internal Task Started => _started.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval <= TimeSpan.Zero)
        {
            return;
        }

        await _repository.InitialLoad.WaitAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(_interval, _time);
        _started.TrySetResult();
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                RepositoryLog.PollFailed(_logger, _repository.RootPath, ex);
            }
            finally
            {
                Interlocked.Exchange(ref _polled, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var onDisk = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(_repository.RootPath))
        {
            foreach (var directory in Directory.GetDirectories(_repository.RootPath))
            {
                var name = Path.GetFileName(directory);
                if (!string.IsNullOrEmpty(name) && !name.StartsWith('.'))
                {
                    onDisk[name] = VersionFolders.FolderFingerprint(directory);
                }
            }
        }

        foreach (var (name, fingerprint) in onDisk)
        {
            // Stable: unchanged since the previous scan. Changed: not what the served entry was built from, nor what
            // the last attempt (which may have failed and kept the old versions) saw.
            var stable = _seen.TryGetValue(name, out var before) && before == fingerprint;
            _seen[name] = fingerprint;
            var served = _repository.TryGetEntry(name, out var entry) ? entry.FolderFingerprint : null;
            if (!stable || served == fingerprint || (_attempted.TryGetValue(name, out var tried) && tried == fingerprint))
            {
                continue;
            }

            _attempted[name] = fingerprint;
            RepositoryLog.PollApplying(_logger, name);
            await _repository.LoadModelAsync(name, cancellationToken, keepTraffic: true).ConfigureAwait(false);
        }

        foreach (var entry in _repository.Models)
        {
            if (!entry.Unloaded && !onDisk.ContainsKey(entry.Name))
            {
                RepositoryLog.PollRemoving(_logger, entry.Name);
                await _repository.UnloadModelAsync(entry.Name, cancellationToken).ConfigureAwait(false);
                _seen.Remove(entry.Name);
                _attempted.Remove(entry.Name);
            }
        }
    }
}
