using Grpc.Core;
using MlServing.Api.Health;
using MlServing.Api.Observability;
using MlServing.Api.OpenInference;
using MlServing.Api.Requests;
using MlServing.Api.Security;
using MlServing.Grpc.Inference;
using MlServing.Inference.Errors;
using MlServing.Inference.Repository;
using MlServing.Inference.Serving;
using MlServing.Inference.Tensors;
using ModelMetadataResponse = MlServing.Grpc.Inference.ModelMetadataResponse;
using ModelReadyResponse = MlServing.Grpc.Inference.ModelReadyResponse;

namespace MlServing.Api.Grpc;

/// <summary>
/// The Open Inference Protocol's <c>inference.GRPCInferenceService</c>: a thin front end over the same engine, cache,
/// batcher, traffic policy and request metrics (<c>protocol="grpc"</c>) as the REST APIs. Every expected failure ends as
/// the status code <see cref="GrpcErrorMap"/> gives its kind; a fault is logged and answered INTERNAL.
/// </summary>
public sealed class InferenceGrpcService : GrpcInferenceServiceBase
{
    /// <summary>Response metadata naming the version that answered (gRPC metadata keys are lower case).</summary>
    public const string ModelVersionHeader = "x-model-version";

    private readonly HttpInference _http;
    private readonly ReadinessProbe _readiness;
    private readonly TimeProvider _time;
    private readonly ILogger<InferenceGrpcService> _logger;

    public InferenceGrpcService(HttpInference http, ReadinessProbe readiness, TimeProvider time, ILogger<InferenceGrpcService> logger)
    {
        _http = http;
        _readiness = readiness;
        _time = time;
        _logger = logger;
    }

    private ModelRepository Repository => _http.Service.Repository;

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = _readiness.Evaluate().Ready });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var lookup = Find(context, request.Name, request.Version);
        return lookup.Version is not null || lookup.Error!.Kind == InferenceErrorKind.Unavailable
            ? Task.FromResult(new ModelReadyResponse { Ready = lookup.Version is not null })
            : throw GrpcErrorMap.ToException(lookup.Error);
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = "mlserving", Version = OpenInferenceApi.ServerVersion };
        response.Extensions.AddRange(OpenInferenceApi.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var lookup = Find(context, request.Name, request.Version);
        if (lookup.Version is not { } model)
        {
            throw GrpcErrorMap.ToException(lookup.Error!);
        }

        var response = new ModelMetadataResponse { Name = model.Name, Platform = OpenInferenceApi.Platform };
        response.Versions.AddRange(OpenInferenceApi.ServedVersions(Repository, model, Optional(request.Version)));
        Describe(model.Signature.Inputs, response.Inputs);
        Describe(model.Signature.Outputs, response.Outputs);
        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var telemetry = _http.Start(http, RequestProtocol.Grpc);
        try
        {
            var (lease, error) = _http.Resolve(http, Optional(request.ModelName), Optional(request.ModelVersion));
            error = ApiKeyAccess.CheckModel(http, lease?.Model.Name ?? Optional(request.ModelName)) ?? error;
            if (lease is null || error is not null)
            {
                lease?.Dispose();
                throw Fail(telemetry, error!);
            }

            using (lease)
            {
                telemetry.Model = lease.Model;
                http.Response.Headers[ModelVersionHeader] = lease.Model.VersionText;
                TimeSpan? timeout = null;
                error = ModelInferDecoder.ReadParameters(request, out var timeoutMicroseconds);
                error ??= RequestDeadline.Resolve(http.Request, timeoutMicroseconds, out timeout);
                error ??= Deadline(context, ref timeout);
                var inputs = Array.Empty<PooledTensor>();
                error ??= ModelInferDecoder.Decode(request, out inputs);
                if (error is not null)
                {
                    throw Fail(telemetry, error);
                }

                var fields = request.RawInputContents.Count > 0 ? GrpcFields.Raw : GrpcFields.Typed;
                using var call = new InferenceCall(inputs, fields)
                {
                    OutputNames = OutputNames(request),
                    Timeout = timeout,
                    BypassCache = HttpInference.BypassCache(http.Request),
                };
                using var response = await _http.Service.InferAsync(lease, call, context.CancellationToken).ConfigureAwait(false);
                if (response.Error is { } failure)
                {
                    throw Fail(telemetry, failure.Kind == InferenceErrorKind.Cancelled && context.Deadline <= _time.GetUtcNow().UtcDateTime
                        ? InferenceError.Of(InferenceErrorKind.DeadlineExceeded, "the call's deadline passed while it waited in the queue")
                        : failure);
                }

                return ModelInferEncoder.Encode(request, response.Model!, response.Outputs);
            }
        }
        catch (Exception ex) when (ex is not RpcException && !(ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested))
        {
            GrpcLog.Unhandled(_logger, nameof(ModelInfer), ex);
            telemetry.Faulted();
            throw new RpcException(new Status(StatusCode.Internal, "internal server error; the fault is logged with trace id " + http.TraceIdentifier));
        }
    }

    private static RpcException Fail(RequestTelemetry telemetry, InferenceError error)
    {
        telemetry.Failed(error.Kind);
        return GrpcErrorMap.ToException(error);
    }

    /// <summary>The call's gRPC deadline bounds its queue time too (the shorter of it and any timeout the request set).</summary>
    private InferenceError? Deadline(ServerCallContext context, ref TimeSpan? timeout)
    {
        if (context.Deadline == DateTime.MaxValue)
        {
            return null;
        }

        var left = context.Deadline - _time.GetUtcNow().UtcDateTime;
        if (left <= TimeSpan.Zero)
        {
            return InferenceError.Of(InferenceErrorKind.DeadlineExceeded, "the call's deadline passed before it was queued");
        }

        timeout = timeout is { } set && set < left ? set : left;
        return null;
    }

    /// <summary>The version a metadata RPC names; a model the request's API key may not use is PERMISSION_DENIED.</summary>
    private VersionLookup Find(ServerCallContext context, string name, string version) =>
        string.IsNullOrEmpty(name) ? VersionLookup.Failed(InferenceError.Invalid("name", "'name' is required"))
        : ApiKeyAccess.CheckModel(context.GetHttpContext(), name) is { } forbidden ? VersionLookup.Failed(forbidden)
        : Repository.Find(name, Optional(version));

    private static string? Optional(string value) => value.Length == 0 ? null : value;

    private static List<string>? OutputNames(ModelInferRequest request)
    {
        if (request.Outputs.Count == 0)
        {
            return null;
        }

        var names = new List<string>(request.Outputs.Count);
        foreach (var output in request.Outputs)
        {
            names.Add(output.Name);
        }

        return names;
    }

    private static void Describe(TensorSpec[] specs, Google.Protobuf.Collections.RepeatedField<ModelMetadataResponse.Types.TensorMetadata> into)
    {
        foreach (var spec in specs)
        {
            var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DataType.ToProtocolName() };
            tensor.Shape.AddRange(spec.Shape);
            into.Add(tensor);
        }
    }
}
