using MlServing.Inference.Observability;
using MlServing.Inference.Repository;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Pipeline;

/// <summary>What a pipeline stage may know about the model version it wraps.</summary>
public sealed record PipelineContext(string Model, long Version, string VersionText, ModelSession Session, ModelConfig Config, ModelVersionMetrics Metrics)
{
    public ModelSignature Signature => Session.Signature;
}
