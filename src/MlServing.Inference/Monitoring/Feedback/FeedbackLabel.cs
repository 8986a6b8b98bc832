namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>One row's true class as the client sent it: a label (<see cref="Name"/>) or a class index.</summary>
public readonly record struct FeedbackLabel(string? Name, long Index)
{
    public static FeedbackLabel OfName(string name) => new(name, -1);

    public static FeedbackLabel OfIndex(long index) => new(null, index);
}
