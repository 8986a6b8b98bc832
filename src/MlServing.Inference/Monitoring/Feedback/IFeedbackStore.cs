namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>Predictions waiting for their ground truth, by model and request id, each for a limited time.</summary>
public interface IFeedbackStore
{
    string Provider { get; }

    /// <summary>Stores a prediction without waiting (best effort: a store that is down keeps nothing).</summary>
    void Put(string model, string requestId, StoredPrediction prediction, TimeSpan ttl);

    /// <summary>The prediction stored for the id, or null (unknown, expired or already joined).</summary>
    ValueTask<StoredPrediction?> GetAsync(string model, string requestId, CancellationToken cancellationToken);

    /// <summary>Removes the prediction; true for the one caller that removed it (the join counts once, whichever replica made it).</summary>
    ValueTask<bool> RemoveAsync(string model, string requestId, CancellationToken cancellationToken);
}
