using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Runtime;

/// <summary>
/// The GPU build against the real CUDA package. test.sh builds this project a second time with -p:UseGpu=true
/// (Microsoft.ML.OnnxRuntime.Gpu.Linux, compile constant GPU_BUILD) and runs the ExecutionProvider tests against that
/// build. There, with no CUDA on the machine, ONNX Runtime lists the CUDA provider but cannot load its library, so a
/// "cuda" model must fall back to CPU (or fail to load under requireGpu) with ONNX Runtime's own reason. In the CPU build
/// the GPU-only facts are reported as skipped.
/// </summary>
[Trait("Category", "ExecutionProvider")]
public sealed partial class GpuBuildTests
{
    private const string CudaProviderName = "CUDAExecutionProvider";
    private static readonly string ModelPath = Path.Combine(TestRepository.FixturesPath, "identity-fp32", "1", "model.onnx");

    [Fact]
    public void TheNativeOnnxRuntime_IsThePackageThisBuildChose()
    {
        var providers = OrtEnv.Instance().GetAvailableProviders();
#if GPU_BUILD
        Assert.Contains(CudaProviderName, providers);
#else
        Assert.DoesNotContain(CudaProviderName, providers);
#endif
        Assert.Contains("CPUExecutionProvider", providers);
    }

    [GpuBuildFact]
    public void Cuda_WithoutTheCudaLibraries_FallsBackToCpuWithAWarning_AndServesACorrectInference()
    {
        var logger = new ListLogger<GpuBuildTests>();
        using var options = new SessionOptions { IntraOpNumThreads = 1 };

        var provider = ExecutionProviderSelector.Apply(options, ExecutionProviderSelector.Cuda, 0, requireGpu: false, logger, "identity-fp32", 3);

        Assert.Equal(ExecutionProviderSelector.Cpu, provider);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("identity-fp32 version 3 asked for CUDA device 0", warning.Message);
        Assert.Contains("running on CPU", warning.Message);
        // The reason is ONNX Runtime's: it found the CUDA provider library but not the CUDA libraries that library links.
        Assert.Contains("libonnxruntime_providers_cuda.so", warning.Message);
        AssertNamesAMissingCudaLibrary(warning.Message);

        using var session = ModelSession.Load(ModelPath, options, provider);
        Assert.Equal(ExecutionProviderSelector.Cpu, session.ExecutionProvider);
        using var builder = new PooledTensorBuilder(TensorDataType.Float32);
        builder.Append(1.5f);
        builder.Append(-2f);
        builder.Append(float.MaxValue);
        builder.Append(float.Epsilon);
        using var input = builder.Build("x", [2, 2]);
        var outputs = session.Run([input], session.AllOutputs);
        try
        {
            var output = Assert.Single(outputs);
            Assert.Equal([2, 2], output.Shape);
            Assert.Equal([1.5f, -2f, float.MaxValue, float.Epsilon], output.AsSpan<float>().ToArray());
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }
    }

    [GpuBuildFact]
    public void Cuda_WithRequireGpu_FailsTheLoadNamingTheMissingCudaLibrary()
    {
        var logger = new ListLogger<GpuBuildTests>();
        using var options = new SessionOptions();

        var error = Assert.Throws<ModelLoadException>(() =>
            ExecutionProviderSelector.Apply(options, ExecutionProviderSelector.Cuda, 1, requireGpu: true, logger, "identity-fp32", 1));

        Assert.Contains("CUDA execution provider (device 1) is not available and requireGpu is set", error.Message);
        AssertNamesAMissingCudaLibrary(error.Message);
        Assert.Empty(logger.Entries);
    }

    /// <summary>The message names a CUDA library the dynamic loader could not open, and it really is absent here.</summary>
    private static void AssertNamesAMissingCudaLibrary(string message)
    {
        var match = MissingCudaLibrary().Match(message);
        Assert.True(match.Success, $"no missing CUDA library (libcu*.so.N: cannot open shared object file) named in: {message}");
        var library = match.Groups["library"].Value;
        var loads = NativeLibrary.TryLoad(library, out var handle);
        if (loads)
        {
            NativeLibrary.Free(handle);
        }

        Assert.False(loads, $"{library} loads on this machine, yet the reason given was that it is missing: {message}");
    }

    [GeneratedRegex(@"(?<library>libcu\w*\.so\.\d+): cannot open shared object file")]
    private static partial Regex MissingCudaLibrary();
}

/// <summary>
/// A fact that only means something against the CUDA package: in the CPU build it is reported as skipped, never as a
/// pass. test.sh runs it in its -p:UseGpu=true pass.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GpuBuildFactAttribute : FactAttribute
{
    public GpuBuildFactAttribute()
    {
#if !GPU_BUILD
        Skip = "CPU build (Microsoft.ML.OnnxRuntime, no CUDA provider): runs in test.sh's -p:UseGpu=true pass";
#endif
    }
}
