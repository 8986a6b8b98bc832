using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlServing.Inference.Batching;
using MlServing.Inference.Caching;
using MlServing.Inference.Monitoring;
using MlServing.Inference.Monitoring.Capture;
using MlServing.Inference.Monitoring.Feedback;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Redis;
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
    /// registered stages: the prediction cache, then model monitoring), the inference service, feedback and data
    /// capture, and engine metrics on a metrics registry of this host's own. Options are validated on start.
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
        services.AddOptionsWithValidateOnStart<MonitoringOptions>().Bind(configuration.GetSection(MonitoringOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MonitoringOptions>, MonitoringOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton<EngineMetrics>();
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<PredictionCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineStage, CachingStage>());
        services.TryAddSingleton<MonitoringMetrics>();
        services.TryAddSingleton<ModelMonitors>();
        services.TryAddSingleton<FeedbackService>();
        services.TryAddSingleton<CaptureWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<CaptureWriter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineStage, MonitoringStage>());
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
