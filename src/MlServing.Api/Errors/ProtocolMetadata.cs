namespace MlServing.Api.Errors;

/// <summary>Endpoint metadata naming the route's protocol, set once on each route group.</summary>
public sealed record ProtocolMetadata(ApiProtocol Protocol)
{
    /// <summary>The protocol of the endpoint that handles <paramref name="context"/>; /predict style when none is set.</summary>
    public static ApiProtocol Of(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ProtocolMetadata>()?.Protocol ?? ApiProtocol.Predict;
}
