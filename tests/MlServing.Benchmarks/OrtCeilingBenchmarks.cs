using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;

namespace MlServing.Benchmarks;

/// <summary>
/// The ceiling a server can reach: ONNX Runtime in-process (our OrtValue path, no HTTP, no JSON) at a given
/// batch size, with the thread settings the server runs with (1 intra-op thread). rows/s = BatchSize / Mean.
/// </summary>
[MemoryDiagnoser]
public class OrtCeilingBenchmarks
{
    private ModelSession _session = null!;
    private PooledTensor[] _inputs = null!;

    [Params("digits-mlp-large", "breast-cancer-forest")]
    public string Model { get; set; } = "";

    [Params(1, 8, 32, 64)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = ModelSession.Load(BenchmarkModels.ModelFile(Model), options, "cpu");
        var spec = _session.Signature.Inputs[0];
        var width = (int)spec.Shape[1];
        var random = new Random(7);
        var builder = new PooledTensorBuilder(TensorDataType.Float32, BatchSize * width);
        for (var i = 0; i < BatchSize * width; i++)
        {
            builder.Append((float)(random.NextDouble() * 16));
        }

        _inputs = [builder.Build(spec.Name, [BatchSize, width])];
    }

    [Benchmark]
    public int Run()
    {
        var outputs = _session.Run(_inputs, _session.AllOutputs);
        var count = outputs[0].ElementCount;
        foreach (var output in outputs)
        {
            output.Dispose();
        }

        return count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inputs[0].Dispose();
        _session.Dispose();
    }
}
