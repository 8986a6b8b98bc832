using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlServing.Inference.Batching;
using MlServing.Inference.Caching;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;
using MlServing.Inference.Runtime;
using Prometheus;

namespace MlServing.Inference;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>Registers the model repository, ONNX Runtime loader and engine metrics, with options validated on start.</summary>
    public static IServiceCollection AddMlServingInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptionsWithValidateOnStart<ModelRepositoryOptions>().Bind(configuration.GetSection(ModelRepositoryOptions.SectionName));
        services.AddOptionsWithValidateOnStart<RuntimeOptions>().Bind(configuration.GetSection(RuntimeOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelRepositoryOptions>, ModelRepositoryOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>());
        services.AddOptionsWithValidateOnStart<BatchingOptions>().Bind(configuration.GetSection(BatchingOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchingOptions>, BatchingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.TryAddSingleton<PredictionCache>();

        services.TryAddSingleton(Metrics.DefaultRegistry);
        services.TryAddSingleton<MlServingMetrics>();
        services.TryAddSingleton<ModelVersionLoader>();
        services.TryAddSingleton<ModelRepository>();
        services.AddHostedService<ModelRepositoryLoaderService>();
        return services;
    }
}
