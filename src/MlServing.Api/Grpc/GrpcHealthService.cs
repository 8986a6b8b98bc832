using Grpc.Core;
using Grpc.Health.V1;
using MlServing.Api.Health;
using MlServing.Inference.Errors;
using MlServing.Inference.Repository;

namespace MlServing.Api.Grpc;

/// <summary>
/// The gRPC health checking protocol (<c>grpc.health.v1.Health</c>) for Kubernetes gRPC probes and meshes. The empty
/// service name and <c>inference.GRPCInferenceService</c> answer the server's readiness (the same rule as
/// <c>/health/ready</c>); a model's name answers whether that model serves (NOT_FOUND for a model the repository does not
/// have). Evaluated at each call, so models loaded or unloaded at run time are answered at once.
/// </summary>
public sealed class GrpcHealthService : global::Grpc.Health.V1.Health.HealthBase
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    private readonly ReadinessProbe _readiness;
    private readonly ModelRepository _repository;
    private readonly TimeProvider _time;

    public GrpcHealthService(ReadinessProbe readiness, ModelRepository repository, TimeProvider time)
    {
        _readiness = readiness;
        _repository = repository;
        _time = time;
    }

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context) =>
        Task.FromResult(new HealthCheckResponse { Status = StatusOf(request.Service) });

    /// <summary>Sends the status now and again whenever it changes (checked every second) until the caller leaves.</summary>
    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        HealthCheckResponse.Types.ServingStatus? sent = null;
        try
        {
            while (!context.CancellationToken.IsCancellationRequested)
            {
                var status = StatusOf(request.Service, unknownIsError: false);
                if (status != sent)
                {
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
                    sent = status;
                }

                await Task.Delay(WatchInterval, _time, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher left.
        }
    }

    private HealthCheckResponse.Types.ServingStatus StatusOf(string service, bool unknownIsError = true)
    {
        if (service.Length == 0 || service == GrpcInferenceServiceBase.Descriptor.FullName)
        {
            return _readiness.Evaluate().Ready ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
        }

        var lookup = _repository.Find(service, null);
        if (lookup.Version is not null)
        {
            return _readiness.Draining ? HealthCheckResponse.Types.ServingStatus.NotServing : HealthCheckResponse.Types.ServingStatus.Serving;
        }

        return lookup.Error!.Kind != InferenceErrorKind.NotFound ? HealthCheckResponse.Types.ServingStatus.NotServing
            : unknownIsError ? throw new RpcException(new Status(StatusCode.NotFound, $"unknown service '{service}': neither the server nor a model of the repository"))
            : HealthCheckResponse.Types.ServingStatus.ServiceUnknown;
    }
}
