using MlServing.Inference.Batching;

namespace MlServing.Tests.Infrastructure;

public static class BatchGate
{
    /// <summary>Holds the pipeline's first batch before it runs until released; later batches pass. Freezes the runner mid-flight.</summary>
    public static (TaskCompletionSource Entered, TaskCompletionSource Release) FreezeFirstBatch(BatchingPipeline pipeline)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 1;
        pipeline.BeforeExecute = () =>
        {
            if (Interlocked.Exchange(ref first, 0) == 1)
            {
                entered.TrySetResult();
                return release.Task;
            }

            return Task.CompletedTask;
        };
        return (entered, release);
    }
}
