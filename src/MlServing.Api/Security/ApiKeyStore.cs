using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MlServing.Api.Security;

/// <summary>
/// The keys in force: those of <c>MlServing:Auth:Keys</c> (read at start) plus those of <c>MlServing:Auth:KeysFile</c>,
/// re-read when the file changes. A new list is checked whole and published by one reference write; a file that is
/// missing, malformed or invalid is logged and the keys in force stay.
/// </summary>
public sealed class ApiKeyStore : IDisposable
{
    private readonly AuthOptions _options;
    private readonly ILogger<ApiKeyStore> _logger;
    private readonly Lock _reload = new();
    private readonly PhysicalFileProvider? _files;
    private readonly IDisposable? _watch;
    private volatile ApiKeySet _current;

    public ApiKeyStore(IOptions<AuthOptions> options, ILogger<ApiKeyStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        var errors = new List<string>();
        IList<ApiKeyConfig>? fileKeys = null;
        if (KeysFile is { } file && ApiKeysFile.Read(file, out fileKeys) is { } error)
        {
            errors.Add(error);
        }

        _current = ApiKeySetBuilder.Build(_options, fileKeys, KeysFile, errors);
        if (errors.Count > 0)
        {
            // The options validator reports the same at start; this only runs if the file broke in between.
            throw new OptionsValidationException(AuthOptions.SectionName, typeof(AuthOptions), errors);
        }

        SecurityLog.Loaded(_logger, _current.Count, KeysFile is null ? "configuration" : "configuration and " + KeysFile, _current.IsEmpty ? "off" : "on");
        if (KeysFile is { } path)
        {
            // Polling sees a Kubernetes Secret update (a symlink swap a file-system watcher misses) within about 4 s.
            _files = new PhysicalFileProvider(Path.GetDirectoryName(path)!, ExclusionFilters.None)
            {
                UsePollingFileWatcher = true,
                UseActivePolling = true,
            };
            var name = Path.GetFileName(path);
            _watch = ChangeToken.OnChange(() => _files.Watch(name), Reload);
        }
    }

    /// <summary>Raised after each re-read of the keys file, applied or not.</summary>
    public event Action<ApiKeyReload>? Reloaded;

    /// <summary>The snapshot in force; read it once per request.</summary>
    public ApiKeySet Current => _current;

    /// <summary>Whether any key is configured, i.e. whether routes need a key.</summary>
    public bool Enabled => !_current.IsEmpty;

    private string? KeysFile => string.IsNullOrWhiteSpace(_options.KeysFile) ? null : Path.GetFullPath(_options.KeysFile);

    private void Reload()
    {
        ApiKeyReload result;
        lock (_reload)
        {
            var file = KeysFile!;
            var errors = new List<string>();
            var error = ApiKeysFile.Read(file, out var fileKeys);
            var set = error is null ? ApiKeySetBuilder.Build(_options, fileKeys, file, errors) : ApiKeySet.Empty;
            if (error is not null || errors.Count > 0)
            {
                var reason = error ?? string.Join("; ", errors);
                SecurityLog.ReloadRefused(_logger, file, _current.Count, reason);
                result = new ApiKeyReload(false, _current.Count, reason);
            }
            else
            {
                var wasEnabled = Enabled;
                _current = set;
                SecurityLog.Reloaded(_logger, file, set.Count);
                if (wasEnabled && set.IsEmpty)
                {
                    SecurityLog.TurnedOff(_logger, file);
                }

                result = new ApiKeyReload(true, set.Count, null);
            }
        }

        Reloaded?.Invoke(result);
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _files?.Dispose();
    }
}
