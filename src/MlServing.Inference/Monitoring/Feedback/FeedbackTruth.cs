namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>The ground truth of one request, one entry per row: classes (<see cref="Labels"/>) or regression <see cref="Values"/>.</summary>
public sealed class FeedbackTruth
{
    public FeedbackTruth(FeedbackLabel[]? labels, double[]? values)
    {
        Labels = labels;
        Values = values;
    }

    public FeedbackLabel[]? Labels { get; }

    public double[]? Values { get; }
}
