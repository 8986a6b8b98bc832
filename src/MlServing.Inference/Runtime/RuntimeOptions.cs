using Microsoft.ML.OnnxRuntime;

namespace MlServing.Inference.Runtime;

/// <summary>Configuration section <c>MlServing:Runtime</c>: ONNX Runtime session settings shared by all models.</summary>
public sealed class RuntimeOptions
{
    public const string SectionName = "MlServing:Runtime";

    /// <summary>"cpu" (default) or "cuda"; a model's config.json overrides it.</summary>
    public string ExecutionProvider { get; set; } = "cpu";

    public int DeviceId { get; set; }

    /// <summary>When true a model asking for CUDA fails to load instead of falling back to CPU.</summary>
    public bool RequireGpu { get; set; }

    /// <summary>Threads inside one operator; 0 = ONNX Runtime's default (one per core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads across independent operators (parallel execution mode only); 0 = default.</summary>
    public int InterOpThreads { get; set; }

    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.ORT_SEQUENTIAL;

    /// <summary>Run one inference per version after load (docs/MODEL_REPOSITORY.md). Disable only for tests of the load path.</summary>
    public bool Warmup { get; set; } = true;
}
