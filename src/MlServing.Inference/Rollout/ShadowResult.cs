namespace MlServing.Inference.Rollout;

/// <summary>How a shadow copy ended, the <c>result</c> label of <c>mlserving_shadow_requests_total</c>.</summary>
public enum ShadowResult
{
    /// <summary>Same labels, every number within 1e-5 absolute + 1e-4 relative.</summary>
    Agree,
    Disagree,
    Error,

    /// <summary>Not run: the shadow's queue (or its limit of copies in flight) was full.</summary>
    Dropped,
}
