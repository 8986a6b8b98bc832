using MlServing.Inference.Repository;
using MlServing.Inference.Runtime;
using Prometheus;

namespace MlServing.Inference.Monitoring.Capture;

/// <summary>How one model version's requests are written: the names of its inputs (features by name when configured), which are redacted, and its class outputs.</summary>
internal sealed class CaptureLayout
{
    public CaptureLayout(string model, string version, ModelSignature signature, ModelConfig config, string[] redactFeatures, ClassOutput?[] classOutputs, Counter.Child dropped)
    {
        Model = model;
        Version = version;
        Signature = signature;
        ClassOutputs = classOutputs;
        Dropped = dropped;
        var redacted = new HashSet<string>(redactFeatures, StringComparer.Ordinal);
        redacted.UnionWith(config.Redact ?? []);
        Features = config.Features;
        RedactedFeatures = Array.ConvertAll(Features ?? [], redacted.Contains);
        RedactedInputs = Array.ConvertAll(signature.InputNames, redacted.Contains);
    }

    public string Model { get; }

    public string Version { get; }

    public ModelSignature Signature { get; }

    /// <summary>Column names of the single 2-D input (config.json <c>features</c>): rows are written as one value per feature.</summary>
    public string[]? Features { get; }

    public bool[] RedactedFeatures { get; }

    public bool[] RedactedInputs { get; }

    /// <summary>The class output of each signature output (null for the others): written by class name.</summary>
    public ClassOutput?[] ClassOutputs { get; }

    public Counter.Child Dropped { get; }
}
