using System.Net;
using Grpc.Core;
using MlServing.Client.OpenInference;
using MlServing.Grpc.Inference;

namespace MlServing.Client.Transports;

/// <summary>
/// ModelInfer over gRPC: the API key and queue budget as metadata, the call's deadline from
/// <see cref="MlServingClientOptions.HttpTimeout"/>, retries by the channel's retry policy (see
/// <see cref="MlServingClientServiceCollectionExtensions"/>), a failed call as <see cref="MlServingClientException"/>.
/// </summary>
internal sealed class GrpcInferTransport
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client;
    private readonly MlServingClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Metadata _headers = [];

    public GrpcInferTransport(GRPCInferenceService.GRPCInferenceServiceClient client, MlServingClientOptions options, TimeProvider time)
    {
        _client = client;
        _options = options;
        _time = time;
        if (options.ApiKey is { } key)
        {
            _headers.Add("authorization", "Bearer " + key);
        }

        if (options.RequestTimeoutMilliseconds is { } timeout)
        {
            _headers.Add(MlServingClient.RequestTimeoutHeader, timeout);
        }
    }

    public async Task<InferResponse> InferAsync(string model, InferRequest request, string? version, CancellationToken cancellationToken)
    {
        var message = GrpcMessages.ToRequest(model, version, request);
        ModelInferResponse response;
        try
        {
            var deadline = _time.GetUtcNow().UtcDateTime + _options.HttpTimeout;
            response = await _client.ModelInferAsync(message, _headers, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(ex.Status.Detail, ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            throw new MlServingClientException(HttpEquivalent(ex.StatusCode), ex.StatusCode, $"{ex.StatusCode}: {ex.Status.Detail}", ex);
        }

        return GrpcMessages.ToResponse(response);
    }

    /// <summary>The HTTP status the REST API answers for the same failure.</summary>
    private static HttpStatusCode HttpEquivalent(StatusCode status) => status switch
    {
        StatusCode.InvalidArgument => HttpStatusCode.BadRequest,
        StatusCode.NotFound => HttpStatusCode.NotFound,
        StatusCode.Unavailable => HttpStatusCode.ServiceUnavailable,
        StatusCode.ResourceExhausted => HttpStatusCode.TooManyRequests,
        StatusCode.DeadlineExceeded => HttpStatusCode.GatewayTimeout,
        StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
        StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
        StatusCode.Unimplemented => HttpStatusCode.NotImplemented,
        StatusCode.Cancelled => (HttpStatusCode)499,
        _ => HttpStatusCode.InternalServerError,
    };
}
