using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Inference.Repository;

namespace MlServing.Tests.Infrastructure;

/// <summary>
/// The real host (ONNX Runtime, validation, metrics) over a chosen model repository. Only configuration is
/// replaced; <see cref="StartAsync"/> returns once the start-up load has finished.
/// </summary>
public sealed class MlServingFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private readonly Action<IServiceCollection>? _services;

    public MlServingFactory(string repositoryPath, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["MlServing:ModelRepository:Path"] = repositoryPath,
        };
        _settings.TryAdd("MlServing:Runtime:IntraOpThreads", "1");
        _settings.TryAdd("Serilog:MinimumLevel:Default", "Warning");
    }

    public ModelRepository Repository => Services.GetRequiredService<ModelRepository>();

    /// <summary>Starts the host and waits (bounded) for the start-up model load.</summary>
    public async Task<HttpClient> StartAsync()
    {
        var client = CreateClient();
        await Repository.InitialLoad.WaitAsync(TimeSpan.FromSeconds(60));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
