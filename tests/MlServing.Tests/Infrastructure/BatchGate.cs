using MlServing.Inference.Batching;
using MlServing.Inference.Caching;
using MlServing.Inference.Monitoring;
using MlServing.Inference.Pipeline;

namespace MlServing.Tests.Infrastructure;

public static class BatchGate
{
    /// <summary>The batcher under a version's stages (monitoring, cache).</summary>
    public static BatchingPipeline BatcherOf(IInferencePipeline pipeline)
    {
        while (pipeline is not BatchingPipeline)
        {
            pipeline = pipeline switch
            {
                MonitoringPipeline monitored => monitored.Inner,
                CachingPipeline cached => cached.Inner,
                _ => throw new InvalidOperationException($"unexpected pipeline stage {pipeline.GetType().Name}"),
            };
        }

        return (BatchingPipeline)pipeline;
    }

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
