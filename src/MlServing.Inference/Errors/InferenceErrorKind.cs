namespace MlServing.Inference.Errors;

/// <summary>
/// Every expected way a request can fail. Each front end maps a kind to its protocol's status once (an HTTP status,
/// a gRPC code); nothing else decides a status.
/// </summary>
public enum InferenceErrorKind
{
    /// <summary>The request is malformed or does not fit the model's signature.</summary>
    InvalidInput,

    /// <summary>The request is over a size limit (body bytes, rows).</summary>
    TooLarge,

    /// <summary>The request's encoding is not one the front end accepts (content type).</summary>
    UnsupportedFormat,

    /// <summary>No such model or version (or alias).</summary>
    NotFound,

    /// <summary>The model or version exists but does not serve now (loading, failed, shutting down).</summary>
    Unavailable,

    /// <summary>The version's queue is full.</summary>
    QueueFull,

    /// <summary>The request's deadline passed while it waited.</summary>
    DeadlineExceeded,

    /// <summary>The caller went away before the work ran.</summary>
    Cancelled,

    /// <summary>No credentials, or unknown ones.</summary>
    Unauthenticated,

    /// <summary>The credentials do not allow this operation or model.</summary>
    Forbidden,

    /// <summary>The caller is over its rate.</summary>
    RateLimited,
}
