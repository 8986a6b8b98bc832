using MlServing.Inference.Tensors;

namespace MlServing.Inference.Serving;

/// <summary>
/// A protocol-neutral inference request: decoded input tensors (named, in the order the client sent them), the
/// outputs wanted, a timeout and cache choice. Owns the tensors until <see cref="InferenceService"/> takes them;
/// dispose it in any case.
/// </summary>
public sealed class InferenceCall : IDisposable
{
    public InferenceCall(PooledTensor[] inputs, IRequestFields fields)
    {
        Inputs = inputs;
        Fields = fields;
    }

    public PooledTensor[] Inputs { get; }

    public IRequestFields Fields { get; }

    /// <summary>Requested outputs in the order they should come back; null = every output in signature order.</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    /// <summary>How long the request may wait in the queue before it is abandoned (deadline exceeded).</summary>
    public TimeSpan? Timeout { get; init; }

    public bool BypassCache { get; init; }

    /// <summary>The id the response carries (HTTP <c>X-Request-Id</c>, the OIP <c>id</c>); stored predictions are joined to feedback by it.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gives up ownership of the inputs (the service moved them into its own request).</summary>
    internal void Detach() => Array.Clear(Inputs);

    public void Dispose()
    {
        foreach (var input in Inputs)
        {
            input?.Dispose();
        }

        Array.Clear(Inputs);
    }
}
