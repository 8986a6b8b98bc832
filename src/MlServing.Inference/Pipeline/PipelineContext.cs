using MlServing.Inference.Observability;
using MlServing.Inference.Repository;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Pipeline;

/// <summary>
/// What a pipeline stage may know about the model version it wraps. <paramref name="VersionDirectory"/> is the version's
/// folder (<c>&lt;repo&gt;/&lt;model&gt;/&lt;version&gt;</c>), where files that come with a version (a reference profile) are found.
/// </summary>
public sealed record PipelineContext(string Model, long Version, string VersionText, ModelSession Session, ModelConfig Config, ModelVersionMetrics Metrics, string VersionDirectory)
{
    public ModelSignature Signature => Session.Signature;
}
