using System.ComponentModel.DataAnnotations;

namespace MlServing.Api.Grpc;

/// <summary>Configuration section <c>MlServing:Grpc</c>: the Open Inference Protocol's gRPC service.</summary>
public sealed class GrpcOptions
{
    public const string SectionName = "MlServing:Grpc";

    /// <summary>The h2c (HTTP/2 without TLS) port of the gRPC service; 0 turns gRPC off.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8081;
}
