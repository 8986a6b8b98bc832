using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Batching;

namespace MlServing.Inference.Pipeline;

/// <summary>Builds a version's pipeline: its micro-batcher over the session, wrapped by every registered stage.</summary>
public sealed class PipelineBuilder
{
    private readonly IPipelineStage[] _stages;
    private readonly BatchingOptions _batching;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchingPipeline> _logger;

    public PipelineBuilder(IEnumerable<IPipelineStage> stages, IOptions<BatchingOptions> batching, TimeProvider time, ILogger<BatchingPipeline> logger)
    {
        _stages = [.. stages.OrderBy(s => s.Order)];
        _batching = batching.Value;
        _time = time;
        _logger = logger;
    }

    public IInferencePipeline Build(PipelineContext context)
    {
        var policy = BatchPolicy.Resolve(_batching, context.Config, context.Signature.IsBatchable);
        IInferencePipeline pipeline = new BatchingPipeline(context.Session, policy, context.Metrics, _time, _logger);
        foreach (var stage in _stages)
        {
            pipeline = stage.Wrap(pipeline, context);
        }

        return pipeline;
    }
}
