using System.Globalization;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Repository;

/// <summary>
/// A loaded, warmed-up model version: an immutable snapshot that requests read once. Disposal drains its
/// pipeline before the ONNX Runtime session is released.
/// </summary>
public sealed class ModelVersion : IAsyncDisposable
{
    internal ModelVersion(string name, long version, ModelConfig config, ModelSession session, IInferencePipeline pipeline, ModelVersionMetrics metrics)
    {
        Name = name;
        Version = version;
        VersionText = version.ToString(CultureInfo.InvariantCulture);
        Config = config;
        Session = session;
        Pipeline = pipeline;
        Metrics = metrics;
        Features = config.Features is { } features ? new FeatureMap(features) : null;
    }

    public string Name { get; }

    public long Version { get; }

    public string VersionText { get; }

    public ModelConfig Config { get; }

    public ModelSession Session { get; }

    public ModelSignature Signature => Session.Signature;

    public IInferencePipeline Pipeline { get; }

    public ModelVersionMetrics Metrics { get; }

    public FeatureMap? Features { get; }

    public string[]? Labels => Config.Labels;

    public bool AllowNonFinite => Config.AllowNonFinite;

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        Session.Dispose();
    }
}
