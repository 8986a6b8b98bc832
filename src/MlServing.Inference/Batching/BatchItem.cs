using MlServing.Inference.Pipeline;

namespace MlServing.Inference.Batching;

/// <summary>
/// One queued request (timestamps from the pipeline's <see cref="TimeProvider"/>). Exactly one party moves it out of <c>Queued</c>: a runner that takes it into a batch,
/// or the caller that abandons it (cancelled, deadline passed). Whoever wins owns the completion.
/// </summary>
internal sealed class BatchItem
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;

    private int _state;

    public BatchItem(InferenceRequest request, long enqueuedTimestamp)
    {
        Request = request;
        EnqueuedTimestamp = enqueuedTimestamp;
    }

    public InferenceRequest Request { get; }

    public long EnqueuedTimestamp { get; }

    public TaskCompletionSource<InferenceResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Rows => Request.Rows;

    public bool IsExpired(long now) => Request.DeadlineTimestamp != 0 && now > Request.DeadlineTimestamp;

    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;
}
