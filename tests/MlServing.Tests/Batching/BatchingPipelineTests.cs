using Microsoft.Extensions.Time.Testing;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Batching;
using MlServing.Inference.Errors;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;
using MlServing.Tests.Infrastructure;
using Prometheus;

namespace MlServing.Tests.Batching;

/// <summary>The batcher over real ONNX Runtime sessions; a gate freezes the runner so queue states are exact.</summary>
public sealed class BatchingPipelineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly List<IDisposable> _sessions = [];

    private (BatchingPipeline Pipeline, ModelSession Session, ModelVersionMetrics Metrics) Create(string fixture, BatchPolicy policy, TimeProvider? time = null)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        var session = ModelSession.Load(Path.Combine(TestRepository.FixturesPath, fixture, "1", "model.onnx"), options, "cpu");
        _sessions.Add(session);
        var metrics = new EngineMetrics(_registry).ForVersion(fixture, "1");
        return (new BatchingPipeline(session, policy, metrics, time ?? TimeProvider.System, new ListLogger<BatchingPipeline>()), session, metrics);
    }

    private static BatchPolicy Policy(bool merge = true, int maxBatch = 64, int maxQueue = 1024, int delayUs = 0, int instances = 1) =>
        new(merge, maxBatch, TimeSpan.FromMicroseconds(delayUs), [], maxQueue, instances);

    private static (TaskCompletionSource Entered, TaskCompletionSource Release) Freeze(BatchingPipeline pipeline) => BatchGate.FreezeFirstBatch(pipeline);

    private static InferenceRequest Fp64Rows(ModelSession session, params (double A, double B)[] rows)
    {
        var builder = new PooledTensorBuilder(TensorDataType.Float64);
        foreach (var (a, b) in rows)
        {
            builder.Append(a);
            builder.Append(b);
        }

        return new InferenceRequest([builder.Build("x", [rows.Length, 2])], session.AllOutputs, rows.Length);
    }

    private static double[] Y(InferenceResult result)
    {
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Outputs[0].AsSpan<double>().ToArray();
    }

    [Fact]
    public async Task ConcurrentRequests_AreMergedIntoOneBatch_AndEachGetsItsOwnRows()
    {
        var (pipeline, session, metrics) = Create("fp64-regressor", Policy());
        await using var _ = pipeline;
        var (entered, release) = Freeze(pipeline);

        using var head = Fp64Rows(session, (0, 0));
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);

        var requests = Enumerable.Range(1, 10).Select(i => Fp64Rows(session, (i, -i), (i * 10, 1))).ToArray();
        var tasks = requests.Select(r => pipeline.InferAsync(r, CancellationToken.None).AsTask()).ToArray();
        Assert.Equal(20, pipeline.QueuedRows);
        release.SetResult();

        using (var headResult = await headTask.WaitAsync(Timeout))
        {
            Assert.Equal([0.5], Y(headResult));
        }

        for (var i = 1; i <= 10; i++)
        {
            using var result = await tasks[i - 1].WaitAsync(Timeout);
            Assert.Equal([(2.0 * i) - (3.0 * i) + 0.5, (20.0 * i) + 3 + 0.5], Y(result));
            Assert.Equal([2L, 1L], result.Outputs[0].Shape);
        }

        Assert.Equal(2, metrics.BatchSize.Count);
        Assert.Equal(21, metrics.BatchSize.Sum);
        Assert.Equal(0, pipeline.QueuedRows);
        foreach (var request in requests)
        {
            request.Dispose();
        }
    }

    [Fact]
    public async Task MaxBatchSize_SplitsTheQueue_AndAnOversizedRequestRunsAlone()
    {
        var (pipeline, session, metrics) = Create("fp64-regressor", Policy(maxBatch: 4));
        await using var _ = pipeline;
        var (entered, release) = Freeze(pipeline);
        using var head = Fp64Rows(session, (1, 1));
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);

        using var big = Fp64Rows(session, [.. Enumerable.Range(0, 9).Select(i => ((double)i, 0.0))]);
        using var small1 = Fp64Rows(session, (1, 0), (2, 0), (3, 0));
        using var small2 = Fp64Rows(session, (4, 0));
        var bigTask = pipeline.InferAsync(big, CancellationToken.None).AsTask();
        var s1 = pipeline.InferAsync(small1, CancellationToken.None).AsTask();
        var s2 = pipeline.InferAsync(small2, CancellationToken.None).AsTask();
        release.SetResult();

        (await headTask.WaitAsync(Timeout)).Dispose();
        using var bigResult = await bigTask.WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (2.0 * i) + 0.5), Y(bigResult));
        using var r1 = await s1.WaitAsync(Timeout);
        using var r2 = await s2.WaitAsync(Timeout);
        Assert.Equal([2.5, 4.5, 6.5], Y(r1));
        Assert.Equal([8.5], Y(r2));

        // [head], [big alone: 9 rows > 4], [small1 + small2: 4 rows].
        Assert.Equal(3, metrics.BatchSize.Count);
        Assert.Equal(14, metrics.BatchSize.Sum);
    }

    [Fact]
    public async Task RequestsWithDifferentNonBatchDims_AreNeverStackedTogether()
    {
        var (pipeline, session, metrics) = Create("dynamic-hw", Policy());
        await using var _ = pipeline;
        var (entered, release) = Freeze(pipeline);

        InferenceRequest Image(int h, int w, float value)
        {
            var builder = new PooledTensorBuilder(TensorDataType.Float32);
            for (var i = 0; i < h * w; i++)
            {
                builder.Append(value);
            }

            return new InferenceRequest([builder.Build("image", [1, 1, h, w])], session.AllOutputs, 1);
        }

        using var head = Image(2, 2, 0);
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);
        using var a = Image(2, 3, 1);
        using var b = Image(4, 4, 2);
        using var c = Image(2, 3, 3);
        var tasks = new[] { a, b, c }.Select(r => pipeline.InferAsync(r, CancellationToken.None).AsTask()).ToArray();
        release.SetResult();

        (await headTask.WaitAsync(Timeout)).Dispose();
        float[] expected = [1, 2, 3];
        for (var i = 0; i < 3; i++)
        {
            using var result = await tasks[i].WaitAsync(Timeout);
            Assert.True(result.IsSuccess, result.Error?.Message);
            Assert.Equal([expected[i]], result.Outputs[0].AsSpan<float>().ToArray());
        }

        Assert.Equal(4, metrics.BatchSize.Count);
    }

    [Fact]
    public async Task NonBatchablePolicy_RunsOneRequestPerCall()
    {
        var (pipeline, session, metrics) = Create("fp64-regressor", Policy(merge: false));
        await using var _ = pipeline;
        var (entered, release) = Freeze(pipeline);
        using var head = Fp64Rows(session, (1, 1));
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);
        var requests = Enumerable.Range(0, 5).Select(i => Fp64Rows(session, (i, i))).ToArray();
        var tasks = requests.Select(r => pipeline.InferAsync(r, CancellationToken.None).AsTask()).ToArray();
        release.SetResult();

        (await headTask.WaitAsync(Timeout)).Dispose();
        for (var i = 0; i < 5; i++)
        {
            using var result = await tasks[i].WaitAsync(Timeout);
            Assert.Equal([(5.0 * i) + 0.5], Y(result));
            requests[i].Dispose();
        }

        Assert.Equal(6, metrics.BatchSize.Count);
    }

    [Fact]
    public async Task FullQueue_RejectsAtOnce_WithoutWaiting()
    {
        var (pipeline, session, _) = Create("fp64-regressor", Policy(maxQueue: 3));
        await using var __ = pipeline;
        var (entered, release) = Freeze(pipeline);
        using var head = Fp64Rows(session, (1, 1));
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);

        using var fits = Fp64Rows(session, (1, 1), (2, 2), (3, 3));
        using var overflow = Fp64Rows(session, (4, 4));
        var fitsTask = pipeline.InferAsync(fits, CancellationToken.None).AsTask();
        var rejected = pipeline.InferAsync(overflow, CancellationToken.None);

        Assert.True(rejected.IsCompleted);
        Assert.Equal(InferenceErrorKind.QueueFull, (await rejected).Error!.Kind);
        release.SetResult();
        (await headTask.WaitAsync(Timeout)).Dispose();
        using var ok = await fitsTask.WaitAsync(Timeout);
        Assert.True(ok.IsSuccess);
    }

    [Fact]
    public async Task Deadline_OnAFakeClock_ExpiresExactlyWhenItsTimeComes_AndTheRequestNeverRuns()
    {
        var time = new FakeTimeProvider();
        var (pipeline, session, metrics) = Create("fp64-regressor", Policy(), time);
        await using var _ = pipeline;
        var (entered, release) = Freeze(pipeline);
        using var head = Fp64Rows(session, (1, 1));
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);

        var builder = new PooledTensorBuilder(TensorDataType.Float64);
        builder.Append(1.0);
        builder.Append(2.0);
        using var late = new InferenceRequest([builder.Build("x", [1, 2])], session.AllOutputs, 1)
        {
            DeadlineTimestamp = time.GetTimestamp() + (time.TimestampFrequency / 20),
        };
        var lateTask = pipeline.InferAsync(late, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(lateTask.IsCompleted, "the deadline is 50 ms away on the fake clock");
        Assert.Equal(1, pipeline.QueuedRows);
        time.Advance(TimeSpan.FromMilliseconds(2));
        using var result = await lateTask.WaitAsync(Timeout);

        Assert.Equal(InferenceErrorKind.DeadlineExceeded, result.Error!.Kind);
        Assert.Equal(0, pipeline.QueuedRows);
        release.SetResult();
        (await headTask.WaitAsync(Timeout)).Dispose();
        await pipeline.DisposeAsync();
        Assert.Equal(1, metrics.BatchSize.Count);
    }

    [Fact]
    public async Task QueueDelay_OnAFakeClock_HoldsTheBatchOpenUntilTheDelayPasses()
    {
        var time = new FakeTimeProvider();
        var policy = new BatchPolicy(true, 64, TimeSpan.FromMilliseconds(10), [], 1024, 1);
        var (pipeline, session, metrics) = Create("fp64-regressor", policy, time);
        await using var _ = pipeline;
        using var first = Fp64Rows(session, (1, 1));
        using var second = Fp64Rows(session, (2, 1));

        var firstTask = pipeline.InferAsync(first, CancellationToken.None).AsTask();
        var secondTask = pipeline.InferAsync(second, CancellationToken.None).AsTask();

        // Both requests are taken by the runner, which waits for more until the fake clock moves.
        await Eventually.TrueAsync(() => pipeline.QueuedRows == 0, "the runner to take both requests");
        Assert.Equal(0, metrics.BatchSize.Count);
        Assert.False(firstTask.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(10));

        using (var result = await firstTask.WaitAsync(Timeout))
        {
            Assert.Equal([5.5], Y(result));
        }

        using (var result = await secondTask.WaitAsync(Timeout))
        {
            Assert.Equal([7.5], Y(result));
        }

        Assert.Equal(1, metrics.BatchSize.Count);
        Assert.Equal(2, metrics.BatchSize.Sum);
    }

    [Fact]
    public async Task AnIdlePipeline_RunsTheRequestOnTheCallersThread_WithoutQueueing()
    {
        var (pipeline, session, metrics) = Create("fp64-regressor", Policy());
        await using var _ = pipeline;
        pipeline.PendingWork = static () => 0;
        using var request = Fp64Rows(session, (1, 2), (3, 4));

        var pending = pipeline.InferAsync(request, CancellationToken.None);

        // Completed before InferAsync returned: no hand-off to the runner and back.
        Assert.True(pending.IsCompleted);
        Assert.Equal(1, pipeline.InlineRuns);
        using var result = await pending;
        Assert.Equal([8.5, 18.5], Y(result));
        Assert.Equal(1, metrics.BatchSize.Count);
        Assert.Equal(2, metrics.BatchSize.Sum);
        Assert.Equal(1, metrics.QueueDuration.Count);
        Assert.Equal(0, pipeline.QueuedRows);
    }

    [Fact]
    public async Task UnderLoad_TheRequestQueuesForTheRunner_SoThatBatchesCanForm()
    {
        var (pipeline, session, metrics) = Create("fp64-regressor", Policy());
        await using var _ = pipeline;

        // Other work waiting for a thread: running inline would serve requests one by one and no batch would form.
        pipeline.PendingWork = static () => 3;
        using var request = Fp64Rows(session, (1, 2), (3, 4));

        using var result = await pipeline.InferAsync(request, CancellationToken.None).AsTask().WaitAsync(Timeout);

        Assert.Equal([8.5, 18.5], Y(result));
        Assert.Equal(0, pipeline.InlineRuns);
        Assert.Equal(1, metrics.BatchSize.Count);
        Assert.Equal(0, pipeline.QueuedRows);
    }

    [Fact]
    public async Task Cancellation_RemovesTheRequestFromTheQueue()
    {
        var (pipeline, session, metrics) = Create("fp64-regressor", Policy());
        await using var _ = pipeline;
        var (entered, release) = Freeze(pipeline);
        using var head = Fp64Rows(session, (1, 1));
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);

        using var cts = new CancellationTokenSource();
        using var cancelled = Fp64Rows(session, (5, 5), (6, 6));
        using var kept = Fp64Rows(session, (7, 7));
        var cancelledTask = pipeline.InferAsync(cancelled, cts.Token).AsTask();
        var keptTask = pipeline.InferAsync(kept, CancellationToken.None).AsTask();
        Assert.Equal(3, pipeline.QueuedRows);
        await cts.CancelAsync();

        using var cancelledResult = await cancelledTask.WaitAsync(Timeout);
        Assert.Equal(InferenceErrorKind.Cancelled, cancelledResult.Error!.Kind);
        Assert.Equal(1, pipeline.QueuedRows);
        release.SetResult();
        (await headTask.WaitAsync(Timeout)).Dispose();
        using var keptResult = await keptTask.WaitAsync(Timeout);
        Assert.Equal([35.5], Y(keptResult));
        Assert.Equal(2, metrics.BatchSize.Sum);
    }

    [Fact]
    public async Task Dispose_DrainsQueuedWork_ThenRefusesNewWork()
    {
        var (pipeline, session, _) = Create("fp64-regressor", Policy(maxBatch: 2));
        var (entered, release) = Freeze(pipeline);
        using var head = Fp64Rows(session, (1, 1));
        var headTask = pipeline.InferAsync(head, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(Timeout);
        var requests = Enumerable.Range(0, 5).Select(i => Fp64Rows(session, (i, 0))).ToArray();
        var tasks = requests.Select(r => pipeline.InferAsync(r, CancellationToken.None).AsTask()).ToArray();

        var disposing = pipeline.DisposeAsync().AsTask();
        using var refused = Fp64Rows(session, (9, 9));
        Assert.Equal(InferenceErrorKind.Unavailable, (await pipeline.InferAsync(refused, CancellationToken.None)).Error!.Kind);
        Assert.False(disposing.IsCompleted);
        release.SetResult();

        await disposing.WaitAsync(Timeout);
        (await headTask.WaitAsync(Timeout)).Dispose();
        for (var i = 0; i < 5; i++)
        {
            using var result = await tasks[i].WaitAsync(Timeout);
            Assert.Equal([(2.0 * i) + 0.5], Y(result));
            requests[i].Dispose();
        }
    }

    [Fact]
    public async Task QueueDelay_WaitsForMoreRows_UpToAPreferredSize()
    {
        var policy = new BatchPolicy(true, 64, TimeSpan.FromSeconds(20), [4], 1024, 1);
        var (pipeline, session, metrics) = Create("fp64-regressor", policy);
        await using var _ = pipeline;

        var requests = Enumerable.Range(0, 4).Select(i => Fp64Rows(session, (i, 1))).ToArray();
        var tasks = new List<Task<InferenceResult>>();
        foreach (var request in requests)
        {
            tasks.Add(pipeline.InferAsync(request, CancellationToken.None).AsTask());
        }

        // The 20 s delay would time the test out: the batch ran because it reached the preferred size of 4.
        for (var i = 0; i < 4; i++)
        {
            using var result = await tasks[i].WaitAsync(Timeout);
            Assert.Equal([(2.0 * i) + 3.5], Y(result));
            requests[i].Dispose();
        }

        Assert.Equal(1, metrics.BatchSize.Count);
        Assert.Equal(4, metrics.BatchSize.Sum);
    }

    public void Dispose()
    {
        foreach (var session in _sessions)
        {
            session.Dispose();
        }
    }
}
