namespace MlServing.Inference.Pipeline;

/// <summary>
/// A decorator of every model version's pipeline, registered in DI (<c>TryAddEnumerable</c>). The
/// <see cref="PipelineBuilder"/> wraps the batcher with the stages in ascending <see cref="Order"/>: the lowest is
/// closest to ONNX Runtime.
/// </summary>
public interface IPipelineStage
{
    int Order { get; }

    /// <summary>Wraps <paramref name="inner"/>, or returns it unchanged when the stage does not apply to this version.</summary>
    IInferencePipeline Wrap(IInferencePipeline inner, PipelineContext context);
}
