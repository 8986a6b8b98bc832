namespace MlServing.Inference.Pipeline;

/// <summary>
/// The path from decoded inputs to outputs for one model version. Implementations (direct execution, the
/// micro-batcher, a caching decorator) compose; the API layer only sees this interface.
/// </summary>
public interface IInferencePipeline : IAsyncDisposable
{
    ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken);
}
