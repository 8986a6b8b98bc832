using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlServing.Api.OpenInference;

/// <summary><c>GET /v2</c>.</summary>
public sealed record ServerMetadata(string Name, string Version, string[] Extensions);

/// <summary>Tensor description in model metadata; -1 marks a dynamic dim.</summary>
public sealed record TensorMetadata(string Name, string Datatype, long[] Shape);

/// <summary><c>GET /v2/models/{name}[/versions/{version}]</c>.</summary>
public sealed record ModelMetadataResponse(string Name, string[] Versions, string Platform, TensorMetadata[] Inputs, TensorMetadata[] Outputs);

/// <summary><c>GET /v2/health/live</c>.</summary>
public sealed record LiveResponse(bool Live);

/// <summary><c>GET /v2/health/ready</c>.</summary>
public sealed record ReadyResponse(bool Ready);

/// <summary><c>GET /v2/models/{name}/ready</c>.</summary>
public sealed record ModelReadyResponse(string Name, bool Ready);

/// <summary>One row of <c>POST /v2/repository/index</c>.</summary>
public sealed record RepositoryIndexEntry(string Name, string? Version, string State, string? Reason);

/// <summary>Optional body of <c>POST /v2/repository/index</c>: <c>{"ready": true}</c> lists only ready versions.</summary>
public sealed record RepositoryIndexRequest(bool? Ready);

/// <summary>An infer request tensor, as OpenAPI documents it.</summary>
public sealed record InferTensorDocument(string Name, long[] Shape, string Datatype, JsonElement Data, Dictionary<string, JsonElement>? Parameters);

/// <summary>A requested output.</summary>
public sealed record RequestedOutputDocument(string Name, Dictionary<string, JsonElement>? Parameters);

/// <summary>The infer request body (the endpoint parses it itself).</summary>
public sealed record InferRequestDocument(string? Id, Dictionary<string, JsonElement>? Parameters, InferTensorDocument[] Inputs, RequestedOutputDocument[]? Outputs);

/// <summary>An output tensor with flat data.</summary>
public sealed record InferOutputDocument(string Name, string Datatype, long[] Shape, JsonElement Data);

/// <summary>The infer response.</summary>
public sealed record InferResponseDocument(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    string? Id,
    InferOutputDocument[] Outputs);
