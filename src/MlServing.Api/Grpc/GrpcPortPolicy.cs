using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace MlServing.Api.Grpc;

/// <summary>
/// Keeps the two ports apart: gRPC methods answer only on the gRPC port, every other route only on the HTTP ports. It
/// matches on the connection's local port rather than the Host header, so a remapped port (a container's published port,
/// a Service's port, a port-forward) still reaches the right routes.
/// </summary>
internal sealed class GrpcPortPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    private readonly int _port;

    public GrpcPortPolicy(IOptions<GrpcOptions> options) => _port = options.Value.Port;

    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => _port > 0;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onGrpcPort = httpContext.Connection.LocalPort == _port;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && IsGrpc(candidates[i].Endpoint) != onGrpcPort)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>A gRPC method, or one of the catch-alls Grpc.AspNetCore maps to answer UNIMPLEMENTED (they carry no method metadata).</summary>
    private static bool IsGrpc(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not null
        || (endpoint is RouteEndpoint route && route.RoutePattern.ParameterPolicies.ContainsKey("unimplementedMethod"));
}
