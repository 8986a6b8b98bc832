namespace MlServing.Inference.Pipeline;

/// <summary>The expected ways an inference can end; each maps to one HTTP status in the API layer.</summary>
public enum InferenceStatus
{
    Success,

    /// <summary>ONNX Runtime rejected the input (400).</summary>
    InvalidInput,

    /// <summary>The version's queue is full (429, or 503 when configured).</summary>
    QueueFull,

    /// <summary>The request's deadline passed while it waited (504).</summary>
    DeadlineExceeded,

    /// <summary>The caller went away before the work ran.</summary>
    Cancelled,

    /// <summary>The version is draining or disposed (503).</summary>
    Unavailable,
}
