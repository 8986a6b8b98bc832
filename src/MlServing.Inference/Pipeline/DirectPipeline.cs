using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Observability;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Pipeline;

/// <summary>
/// Runs each request as its own session call on the caller's thread: the path for non-batchable models and
/// the executor under the batcher. Disposal waits for in-flight runs before the session is released.
/// </summary>
public sealed class DirectPipeline : IInferencePipeline
{
    private readonly ModelSession _session;
    private readonly ModelVersionMetrics _metrics;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _closing;

    public DirectPipeline(ModelSession session, ModelVersionMetrics metrics)
    {
        _session = session;
        _metrics = metrics;
    }

    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromResult(InferenceResult.Failure(InferenceStatus.Cancelled, "the request was cancelled"));
        }

        if (request.DeadlineTimestamp != 0 && Stopwatch.GetTimestamp() > request.DeadlineTimestamp)
        {
            return ValueTask.FromResult(InferenceResult.Failure(InferenceStatus.DeadlineExceeded, "the request deadline passed before it ran"));
        }

        Interlocked.Increment(ref _inFlight);
        try
        {
            if (_closing)
            {
                return ValueTask.FromResult(InferenceResult.Failure(InferenceStatus.Unavailable, "the model version is being unloaded"));
            }

            _metrics.QueueDuration.Observe(0);
            var start = Stopwatch.GetTimestamp();
            var outputs = _session.Run(request.Inputs, request.OutputIndices);
            _metrics.ComputeDuration.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
            _metrics.BatchSize.Observe(request.Rows);
            return ValueTask.FromResult(InferenceResult.Success(outputs));
        }
        catch (OnnxRuntimeException ex)
        {
            // Inputs passed validation against the signature, so what ONNX Runtime still rejects is a property of
            // the values (incompatible dynamic dims, out-of-range indices): the client's to fix, not a server fault.
            return ValueTask.FromResult(InferenceResult.Failure(InferenceStatus.InvalidInput, "the model rejected the input: " + ex.Message));
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && _closing)
            {
                _drained.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        if (Volatile.Read(ref _inFlight) > 0)
        {
            await _drained.Task.ConfigureAwait(false);
        }
    }
}
