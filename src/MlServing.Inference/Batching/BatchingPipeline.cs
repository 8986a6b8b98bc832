using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Errors;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Batching;

/// <summary>
/// The dynamic micro-batcher of one model version (docs/BATCHING_AND_CACHING.md). Requests wait in a queue bounded by rows (full ⇒
/// <see cref="InferenceErrorKind.QueueFull"/> at once); <see cref="BatchPolicy.Instances"/> runners each take the
/// oldest request, add compatible ones up to <see cref="BatchPolicy.MaxBatchSize"/> rows (waiting at most
/// <see cref="BatchPolicy.MaxQueueDelay"/>), run one session call synchronously and slice the outputs back.
/// Cancelled or expired requests leave the queue without running. Disposal drains what is queued.
/// </summary>
public sealed class BatchingPipeline : IInferencePipeline
{
    private readonly ModelSession _session;
    private readonly BatchPolicy _policy;
    private readonly ModelVersionMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<BatchItem> _queue;
    private readonly SemaphoreSlim _slots;
    private readonly bool _inline;
    private readonly Task[] _runners;
    private const string DeadlinePassed = "the request deadline passed while it was queued";
    private int _queuedRows;
    private long _inlineRuns;
    private volatile bool _closing;

    public BatchingPipeline(ModelSession session, BatchPolicy policy, ModelVersionMetrics metrics, TimeProvider time, ILogger logger)
    {
        _session = session;
        _policy = policy;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        metrics.QueueCapacity.Set(policy.MaxQueueSize);
        _queue = Channel.CreateUnbounded<BatchItem>(new UnboundedChannelOptions { SingleReader = policy.Instances == 1 });
        _slots = new SemaphoreSlim(policy.Instances, policy.Instances);
        _inline = policy.MaxQueueDelay == TimeSpan.Zero;
        _runners = new Task[policy.Instances];
        for (var i = 0; i < _runners.Length; i++)
        {
            _runners[i] = Task.Run(RunAsync);
        }
    }

    /// <summary>Test seam: awaited by a runner after it formed a batch and before it runs it (freezes work mid-flight).</summary>
    internal Func<Task>? BeforeExecute { get; set; }

    /// <summary>Test seam: work items waiting for a thread-pool thread (the load signal that turns inline runs off).</summary>
    internal Func<long> PendingWork { get; set; } = static () => ThreadPool.PendingWorkItemCount;

    /// <summary>Requests run on the caller's thread so far.</summary>
    internal long InlineRuns => Volatile.Read(ref _inlineRuns);

    /// <summary>Rows waiting now.</summary>
    public int QueuedRows => Volatile.Read(ref _queuedRows);

    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromResult(InferenceResult.Failure(InferenceErrorKind.Cancelled, "the request was cancelled"));
        }

        if (_closing)
        {
            return ValueTask.FromResult(Unavailable());
        }

        // An idle server (nothing queued, a runner slot free, no other work waiting for a thread) runs the request here
        // and now, without two thread hops through the queue, unless the model asked requests to wait for company (a
        // queue delay). Under load other requests are waiting for the CPU: running inline would serve them one by one
        // and no batch would ever form, so the request queues and the runner takes it with whoever arrives meanwhile.
        if (_inline && Volatile.Read(ref _queuedRows) == 0 && BeforeExecute is null && PendingWork() == 0
            && TryRunInline(request, out var inline))
        {
            return ValueTask.FromResult(inline);
        }

        // Admission by rows: a request bigger than the whole queue still gets in when the queue is empty.
        var rows = request.Rows;
        var queued = Interlocked.Add(ref _queuedRows, rows);
        if (queued > _policy.MaxQueueSize && queued != rows)
        {
            Interlocked.Add(ref _queuedRows, -rows);
            return ValueTask.FromResult(InferenceResult.Failure(QueueFull()));
        }

        _metrics.QueueDepth.Inc(rows);
        var item = new BatchItem(request, _time.GetTimestamp());
        if (!_queue.Writer.TryWrite(item))
        {
            Dequeued(rows);
            return ValueTask.FromResult(Unavailable());
        }

        return cancellationToken.CanBeCanceled || request.DeadlineTimestamp != 0
            ? WaitAsync(item, cancellationToken)
            : new ValueTask<InferenceResult>(item.Completion.Task);
    }

    private bool TryRunInline(InferenceRequest request, out InferenceResult result)
    {
        result = null!;
        if (!_slots.Wait(0))
        {
            return false;
        }

        try
        {
            // Requests that queued meanwhile go first: the runner takes them as soon as the slot is free.
            if (Volatile.Read(ref _queuedRows) != 0)
            {
                return false;
            }

            _metrics.QueueDuration.Observe(0);
            Interlocked.Increment(ref _inlineRuns);
            result = RunOne(request, request.Rows);
            return true;
        }
        finally
        {
            _slots.Release();
        }
    }

    private async ValueTask<InferenceResult> WaitAsync(BatchItem item, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.UnsafeRegister(
            static state => ((BatchingPipeline)((object[])state!)[0]).Abandon((BatchItem)((object[])state)[1], InferenceErrorKind.Cancelled, "the request was cancelled while queued"),
            new object[] { this, item });
        if (item.Request.DeadlineTimestamp == 0)
        {
            return await item.Completion.Task.ConfigureAwait(false);
        }

        var remaining = _time.GetElapsedTime(_time.GetTimestamp(), item.Request.DeadlineTimestamp);
        try
        {
            return await item.Completion.Task.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abandon(item, InferenceErrorKind.DeadlineExceeded, DeadlinePassed);

            // Either we abandoned it, or a runner took it just before the deadline: then its result counts.
            return await item.Completion.Task.ConfigureAwait(false);
        }
    }

    private void Abandon(BatchItem item, InferenceErrorKind kind, string message)
    {
        if (item.TryAbandon())
        {
            Dequeued(item.Rows);
            item.Completion.TrySetResult(InferenceResult.Failure(kind, message));
        }
    }

    private InferenceError QueueFull() =>
        InferenceError.Retryable(InferenceErrorKind.QueueFull, $"the queue of this model version is full ({_policy.MaxQueueSize} rows); retry later", 1);

    private static InferenceResult Unavailable() =>
        InferenceResult.Failure(InferenceError.Unavailable("the model version is shutting down"));

    private void Dequeued(int rows)
    {
        Interlocked.Add(ref _queuedRows, -rows);
        _metrics.QueueDepth.Dec(rows);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<BatchItem>(Math.Min(_policy.MaxBatchSize, 256));
        BatchItem? carried = null;
        while (true)
        {
            var first = carried ?? await NextAsync(reader, default).ConfigureAwait(false);
            carried = null;
            if (first is null)
            {
                return;
            }

            batch.Clear();
            batch.Add(first);
            var rows = first.Rows;
            if (_policy.Merge)
            {
                (rows, carried) = await GatherAsync(reader, batch, rows).ConfigureAwait(false);
            }

            if (BeforeExecute is { } gate)
            {
                await gate().ConfigureAwait(false);
            }

            await _slots.WaitAsync().ConfigureAwait(false);
            try
            {
                Execute(batch, rows);
            }
            finally
            {
                _slots.Release();
            }
        }
    }

    /// <summary>The next live request (taken, not expired), or null when the queue is closed and empty.</summary>
    private async ValueTask<BatchItem?> NextAsync(ChannelReader<BatchItem> reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                if (TryTakeLive(item))
                {
                    return item;
                }
            }

            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    private bool TryTakeLive(BatchItem item)
    {
        if (!item.TryTake())
        {
            return false;
        }

        Dequeued(item.Rows);
        if (item.IsExpired(_time.GetTimestamp()))
        {
            item.Completion.TrySetResult(InferenceResult.Failure(InferenceErrorKind.DeadlineExceeded, DeadlinePassed));
            return false;
        }

        return true;
    }

    /// <summary>Adds queued, compatible requests to the batch; returns its rows and a request that did not fit.</summary>
    private async ValueTask<(int Rows, BatchItem? Carried)> GatherAsync(ChannelReader<BatchItem> reader, List<BatchItem> batch, int rows)
    {
        var first = batch[0];
        var waitUntil = first.EnqueuedTimestamp + (long)(_policy.MaxQueueDelay.TotalSeconds * _time.TimestampFrequency);
        while (rows < _policy.MaxBatchSize)
        {
            if (!reader.TryRead(out var next))
            {
                var now = _time.GetTimestamp();
                if (_policy.MaxQueueDelay == TimeSpan.Zero || _policy.IsPreferred(rows) || now >= waitUntil)
                {
                    break;
                }

                using var timeout = new CancellationTokenSource(_time.GetElapsedTime(now, waitUntil), _time);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            if (!TryTakeLive(next))
            {
                continue;
            }

            if (rows + next.Rows > _policy.MaxBatchSize || !BatchTensors.CanStack(first.Request.Inputs, next.Request.Inputs))
            {
                return (rows, next);
            }

            batch.Add(next);
            rows += next.Rows;
        }

        return (rows, null);
    }

    private void Execute(List<BatchItem> batch, int rows)
    {
        var start = _time.GetTimestamp();
        foreach (var item in batch)
        {
            _metrics.QueueDuration.Observe(_time.GetElapsedTime(item.EnqueuedTimestamp, start).TotalSeconds);
        }

        if (batch.Count == 1)
        {
            var item = batch[0];
            item.Completion.TrySetResult(RunOne(item.Request, rows));
            return;
        }

        PooledTensor[]? inputs = null;
        PooledTensor[]? outputs = null;
        try
        {
            inputs = BatchTensors.Stack(batch, rows);
            var outputIndices = SharedOutputs(batch);
            try
            {
                outputs = Run(inputs, outputIndices, rows);
            }
            catch (OnnxRuntimeException)
            {
                // One request's values can make the whole batch fail; run each alone so only that one is rejected.
                foreach (var item in batch)
                {
                    item.Completion.TrySetResult(RunOne(item.Request, item.Rows));
                }

                return;
            }

            var offset = 0;
            foreach (var item in batch)
            {
                item.Completion.TrySetResult(InferenceResult.Success(SliceFor(item, outputIndices, outputs, rows, offset)));
                offset += item.Rows;
            }
        }
        catch (Exception ex)
        {
            BatchingLog.BatchFailed(_logger, rows, ex);
            foreach (var item in batch)
            {
                item.Completion.TrySetException(ex);
            }
        }
        finally
        {
            if (inputs is not null)
            {
                BatchTensors.Dispose(inputs);
            }

            if (outputs is not null)
            {
                BatchTensors.Dispose(outputs);
            }
        }
    }

    private InferenceResult RunOne(InferenceRequest request, int rows)
    {
        try
        {
            return InferenceResult.Success(Run(request.Inputs, request.OutputIndices, rows));
        }
        catch (OnnxRuntimeException ex)
        {
            // The inputs passed validation against the signature, so what ONNX Runtime still rejects is a property
            // of the values (incompatible dynamic dims, out-of-range indices): the client's to fix.
            return InferenceResult.Failure(InferenceErrorKind.InvalidInput, "the model rejected the input: " + ex.Message);
        }
    }

    private PooledTensor[] Run(PooledTensor[] inputs, int[] outputIndices, int rows)
    {
        var start = _time.GetTimestamp();
        var outputs = _session.Run(inputs, outputIndices);
        _metrics.ComputeDuration.Observe(_time.GetElapsedTime(start).TotalSeconds);
        _metrics.BatchSize.Observe(rows);
        return outputs;
    }

    /// <summary>The outputs every request in the batch asked for: their common selection, or all outputs.</summary>
    private int[] SharedOutputs(List<BatchItem> batch)
    {
        var first = batch[0].Request.OutputIndices;
        for (var i = 1; i < batch.Count; i++)
        {
            var other = batch[i].Request.OutputIndices;
            if (!ReferenceEquals(other, first) && !other.AsSpan().SequenceEqual(first))
            {
                return _session.AllOutputs;
            }
        }

        return first;
    }

    private static PooledTensor[] SliceFor(BatchItem item, int[] computed, PooledTensor[] outputs, int rows, int offset)
    {
        var wanted = item.Request.OutputIndices;
        var result = new PooledTensor[wanted.Length];
        try
        {
            for (var i = 0; i < wanted.Length; i++)
            {
                result[i] = BatchTensors.Slice(outputs[Array.IndexOf(computed, wanted[i])], rows, offset, item.Rows);
            }

            return result;
        }
        catch
        {
            BatchTensors.Dispose(result);
            throw;
        }
    }

    /// <summary>Stops admitting requests, lets the runners finish everything already queued, then returns.</summary>
    public async ValueTask DisposeAsync()
    {
        _closing = true;
        _queue.Writer.TryComplete();
        await Task.WhenAll(_runners).ConfigureAwait(false);
        _slots.Dispose();
    }
}
