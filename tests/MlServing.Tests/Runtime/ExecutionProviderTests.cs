using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Batching;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;
using MlServing.Tests.Infrastructure;
using Prometheus;

namespace MlServing.Tests.Runtime;

/// <summary>
/// This machine has only the CPU ONNX Runtime, so the CUDA request below is genuinely unavailable: these tests
/// exercise the real fallback path, not a fake.
/// </summary>
[Trait("Category", "ExecutionProvider")]
public sealed class ExecutionProviderTests
{
    private static readonly string ModelPath = Path.Combine(TestRepository.FixturesPath, "identity-fp32", "1", "model.onnx");

    /// <summary>The engine's real loader; the execution-provider warnings come from its session factory.</summary>
    private static ModelVersionLoader Loader(RuntimeOptions options, ILogger<SessionFactory> logger) =>
        new(
            new SessionFactory(Options.Create(options), logger),
            new PipelineBuilder([], Options.Create(new BatchingOptions()), TimeProvider.System, new ListLogger<BatchingPipeline>()),
            new EngineMetrics(Metrics.NewCustomRegistry()),
            TimeProvider.System,
            new ListLogger<ModelVersionLoader>());

    [Fact]
    public async Task Cuda_WhenUnavailable_FallsBackToCpuWithAWarningAndServes()
    {
        var logger = new ListLogger<SessionFactory>();
        var loader = Loader(new RuntimeOptions { IntraOpThreads = 1 }, logger);

        await using var model = await loader.LoadAsync("m", 1, ModelPath, new ModelConfig { ExecutionProvider = "cuda", DeviceId = 0 }, CancellationToken.None);

        Assert.Equal("cpu", model.Session.ExecutionProvider);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("CUDA", warning.Message);
        Assert.Contains("running on CPU", warning.Message);

        using var builder = new PooledTensorBuilder(TensorDataType.Float32);
        builder.Append(1.5f);
        builder.Append(-2f);
        using var request = new MlServing.Inference.Pipeline.InferenceRequest([builder.Build("x", [1, 2])], model.Session.AllOutputs, 1);
        using var result = await model.Pipeline.InferAsync(request, CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal([1.5f, -2f], result.Outputs[0].AsSpan<float>().ToArray());
    }

    [Fact]
    public async Task Cuda_GlobalDefault_AlsoFallsBack()
    {
        var logger = new ListLogger<SessionFactory>();
        var loader = Loader(new RuntimeOptions { ExecutionProvider = "cuda", DeviceId = 1 }, logger);

        await using var model = await loader.LoadAsync("m", 1, ModelPath, ModelConfig.Empty, CancellationToken.None);

        Assert.Equal("cpu", model.Session.ExecutionProvider);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("device 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cuda_WithRequireGpu_FailsTheLoadWithTheReason()
    {
        var loader = Loader(new RuntimeOptions(), new ListLogger<SessionFactory>());

        var error = await Assert.ThrowsAsync<ModelLoadException>(() =>
            loader.LoadAsync("m", 1, ModelPath, new ModelConfig { ExecutionProvider = "cuda", RequireGpu = true }, CancellationToken.None));

        Assert.Contains("requireGpu", error.Message);
        Assert.Contains("CUDA", error.Message);
    }

    [Fact]
    public async Task Cpu_IsTheDefaultAndLogsNoWarning()
    {
        var logger = new ListLogger<SessionFactory>();
        var loader = Loader(new RuntimeOptions(), logger);

        await using var model = await loader.LoadAsync("m", 1, ModelPath, ModelConfig.Empty, CancellationToken.None);

        Assert.Equal("cpu", model.Session.ExecutionProvider);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }
}
