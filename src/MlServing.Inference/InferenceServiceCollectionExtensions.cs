using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlServing.Inference.Batching;
using MlServing.Inference.Caching;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Rollout;
using MlServing.Inference.Runtime;
using MlServing.Inference.Serving;
using Prometheus;

namespace MlServing.Inference;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine: model repository, ONNX Runtime sessions, the per-version pipeline (batcher and the
    /// registered stages, the prediction cache among them), the inference service and engine metrics on a metrics
    /// registry of this host's own. Options are validated on start.
    /// </summary>
    public static IServiceCollection AddMlServingInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptionsWithValidateOnStart<ModelRepositoryOptions>().Bind(configuration.GetSection(ModelRepositoryOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelRepositoryOptions>, ModelRepositoryOptionsValidator>());
        services.AddOptionsWithValidateOnStart<RuntimeOptions>().Bind(configuration.GetSection(RuntimeOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>());
        services.AddOptionsWithValidateOnStart<BatchingOptions>().Bind(configuration.GetSection(BatchingOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchingOptions>, BatchingOptionsValidator>());
        services.AddOptionsWithValidateOnStart<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.AddOptionsWithValidateOnStart<InferenceLimitsOptions>().Bind(configuration.GetSection(InferenceLimitsOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceLimitsOptions>, InferenceLimitsOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton<EngineMetrics>();
        services.TryAddSingleton<PredictionCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineStage, CachingStage>());
        services.TryAddSingleton<PipelineBuilder>();
        services.TryAddSingleton<SessionFactory>();
        services.TryAddSingleton<ModelVersionLoader>();
        services.TryAddSingleton<ModelIntegrity>();
        services.TryAddSingleton<RolloutMetrics>();
        services.TryAddSingleton<ShadowRunner>();
        services.TryAddSingleton<ModelRepository>();
        services.TryAddSingleton<InferenceService>();
        services.AddHostedService<ModelRepositoryLoaderService>();
        services.TryAddSingleton<RepositoryPoller>();
        services.AddHostedService(provider => provider.GetRequiredService<RepositoryPoller>());
        return services;
    }
}
