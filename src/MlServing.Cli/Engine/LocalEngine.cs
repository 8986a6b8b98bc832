using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference;
using MlServing.Inference.Errors;
using MlServing.Inference.Repository;
using MlServing.Inference.Serving;

namespace MlServing.Cli.Engine;

/// <summary>
/// The server's engine in this process, without HTTP: the same repository, signature validation, batcher and
/// execution providers, with only the one model asked for loaded (no prediction cache: every row is new).
/// </summary>
internal sealed class LocalEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private LocalEngine(ServiceProvider services, ModelLease lease)
    {
        _services = services;
        Lease = lease;
        Service = services.GetRequiredService<InferenceService>();
    }

    public InferenceService Service { get; }

    /// <summary>The version this run scores with, held until the engine is disposed.</summary>
    public ModelLease Lease { get; }

    public static async Task<LocalEngine> OpenAsync(EngineSettings settings, string model, string? version, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Repository))
        {
            throw new CliException($"model repository {settings.Repository} does not exist");
        }

        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MlServing:ModelRepository:Path"] = Path.GetFullPath(settings.Repository),
                ["MlServing:ModelRepository:LoadOnStartup"] = "false",
                ["MlServing:Cache:Provider"] = "none",
                ["MlServing:Runtime:ExecutionProvider"] = settings.Provider,
                ["MlServing:Runtime:IntraOpThreads"] = settings.IntraOpThreads.ToString(CultureInfo.InvariantCulture),
                ["MlServing:Limits:MaxRowsPerRequest"] = Math.Max(4096, settings.MaxRows).ToString(CultureInfo.InvariantCulture),
                ["MlServing:Batching:MaxQueueSize"] = Math.Max(4096, settings.MaxRows).ToString(CultureInfo.InvariantCulture),
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMlServingInference(configuration);
        var provider = services.BuildServiceProvider();
        try
        {
            try
            {
                provider.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (OptionsValidationException ex)
            {
                throw new CliException("invalid settings: " + string.Join("; ", ex.Failures));
            }

            var repository = provider.GetRequiredService<ModelRepository>();
            await repository.LoadNothingAsync().ConfigureAwait(false);
            var entry = await repository.LoadModelAsync(model, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"model '{model}' is not in the repository {repository.RootPath} (models: {string.Join(", ", ModelFolders(repository.RootPath))})");
            var (lease, error) = provider.GetRequiredService<InferenceService>().Resolve(model, version);
            if (lease is null)
            {
                throw new CliException($"{error!.Message}{(entry.Problem is { } problem && !error.Message.Contains(problem, StringComparison.Ordinal) ? $" ({problem})" : string.Empty)}");
            }

            return new LocalEngine(provider, lease);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The error as one line: each field with its messages, or the message.</summary>
    public static string Describe(InferenceError error)
    {
        if (error.Fields is not { Count: > 0 } fields)
        {
            return error.Message;
        }

        return string.Join("; ", fields.Select(f => $"{f.Key}: {string.Join(", ", f.Value)}"));
    }

    private static IEnumerable<string> ModelFolders(string root) =>
        Directory.Exists(root) ? Directory.GetDirectories(root).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.')).Order(StringComparer.Ordinal)! : [];

    public async ValueTask DisposeAsync()
    {
        Lease.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
