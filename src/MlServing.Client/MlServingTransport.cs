namespace MlServing.Client;

/// <summary>How <see cref="MlServingClient.InferAsync"/> reaches the server.</summary>
public enum MlServingTransport
{
    /// <summary>Open Inference Protocol REST with JSON bodies (<c>POST /v2/models/{name}/infer</c>).</summary>
    Json,

    /// <summary>The same route with the binary tensor extension: a JSON header, then the raw tensors, both ways.</summary>
    Binary,

    /// <summary><c>inference.GRPCInferenceService/ModelInfer</c> on the gRPC port, raw contents both ways.</summary>
    Grpc,
}
