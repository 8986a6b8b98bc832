using MlServing.Inference.Pipeline;

namespace MlServing.Inference.Caching;

/// <summary>Puts the prediction cache in front of the batcher of every version whose config.json does not opt out.</summary>
internal sealed class CachingStage : IPipelineStage
{
    private readonly PredictionCache _cache;

    public CachingStage(PredictionCache cache) => _cache = cache;

    public int Order => 100;

    public IInferencePipeline Wrap(IInferencePipeline inner, PipelineContext context)
    {
        if (_cache.Store is not { } store || context.Config.Cache?.Enabled == false)
        {
            return inner;
        }

        var ttl = TimeSpan.FromSeconds(context.Config.Cache?.TtlSeconds ?? _cache.Options.TtlSeconds);
        return new CachingPipeline(inner, context.Model, context.VersionText, context.Session, context.Metrics, store, ttl);
    }
}
