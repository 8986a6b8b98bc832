using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;
using MlServing.Client.OpenInference;
using MlServing.Client.Predict;
using MlServing.Client.Transports;
using MlServing.Grpc.Inference;

namespace MlServing.Client;

/// <summary>
/// A typed client for an MlServing server: <c>POST /predict</c>, Open Inference Protocol inference over REST JSON, REST
/// binary tensors or gRPC (<see cref="MlServingClientOptions.Transport"/>), and model metadata. Register it with
/// <see cref="MlServingClientServiceCollectionExtensions.AddMlServingClient"/>, which sets the addresses and API key and
/// retries busy answers (429/503, RESOURCE_EXHAUSTED/UNAVAILABLE) after the delay the server asks for. Error answers
/// throw <see cref="MlServingClientException"/> with the server's reason.
/// </summary>
public sealed class MlServingClient
{
    /// <summary>The header that bounds how long a request may wait in the server's queue.</summary>
    public const string RequestTimeoutHeader = "X-Request-Timeout-Ms";

    /// <summary>The name of the gRPC client registered for <see cref="MlServingTransport.Grpc"/>.</summary>
    internal const string GrpcClientName = "MlServing.Client.Grpc";

    private readonly HttpClient _http;
    private readonly MlServingClientOptions _options;
    private readonly Lazy<GrpcInferTransport> _grpc;

    public MlServingClient(HttpClient http, IOptions<MlServingClientOptions> options, GrpcClientFactory grpcClients, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _grpc = new Lazy<GrpcInferTransport>(() => new GrpcInferTransport(
            grpcClients.CreateClient<GRPCInferenceService.GRPCInferenceServiceClient>(GrpcClientName), _options, time ?? TimeProvider.System));
    }

    /// <summary>How <see cref="InferAsync"/> travels.</summary>
    public MlServingTransport Transport => _options.Transport;

    /// <summary><c>GET /v2/models/{model}[/versions/{version}]</c> (over REST whatever the transport).</summary>
    public Task<ModelMetadata> GetModelMetadataAsync(string model, string? version = null, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ModelPath(model, version)), ClientJsonContext.Default.ModelMetadata, cancellationToken);

    /// <summary>
    /// Inference on <paramref name="model"/> (<paramref name="version"/> a number or an alias; null lets the server's
    /// traffic policy choose): <c>POST /v2/models/{model}[/versions/{version}]/infer</c> with a JSON or binary body, or
    /// ModelInfer with raw contents, as <see cref="Transport"/> says. The answer is the same whichever way it travelled.
    /// </summary>
    public Task<InferResponse> InferAsync(string model, InferRequest request, string? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_options.Transport == MlServingTransport.Grpc)
        {
            return _grpc.Value.InferAsync(model, request, version, cancellationToken);
        }

        var message = new HttpRequestMessage(HttpMethod.Post, ModelPath(model, version) + "/infer");
        if (_options.Transport == MlServingTransport.Binary)
        {
            message.Content = BinaryTensorBody.Create(request);
            return SendAsync(message, static (response, token) => BinaryTensorBody.TryHeaderLength(response, out var headerLength)
                ? BinaryTensorBody.ReadAsync(response, headerLength, token)
                : ReadJsonAsync(response, ClientJsonContext.Default.InferResponse, token), cancellationToken);
        }

        message.Content = JsonContent.Create(request, ClientJsonContext.Default.InferRequest);
        return SendAsync(message, ClientJsonContext.Default.InferResponse, cancellationToken);
    }

    /// <summary><c>POST /predict</c>.</summary>
    public Task<PredictResponse> PredictAsync(PredictRequest request, CancellationToken cancellationToken = default)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "predict")
        {
            Content = JsonContent.Create(request, ClientJsonContext.Default.PredictRequest),
        };
        return SendAsync(message, ClientJsonContext.Default.PredictResponse, cancellationToken);
    }

    private static string ModelPath(string model, string? version) =>
        "v2/models/" + Uri.EscapeDataString(model) + (version is null ? string.Empty : "/versions/" + Uri.EscapeDataString(version));

    private Task<T> SendAsync<T>(HttpRequestMessage message, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(message, (response, token) => ReadJsonAsync(response, type, token), cancellationToken);

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
            ?? throw new MlServingClientException(response.StatusCode, "the server answered an empty body (null)");

    private async Task<T> SendAsync<T>(HttpRequestMessage message, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using (message)
        {
            if (_options.RequestTimeoutMilliseconds is { } timeout)
            {
                message.Headers.TryAddWithoutValidation(RequestTimeoutHeader, timeout);
            }

            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var reason = ErrorBody.TryDescribe(body) ?? (body.Length > 0 ? body : response.ReasonPhrase ?? "no reason given");
                throw new MlServingClientException(response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {reason}");
            }

            return await read(response, cancellationToken).ConfigureAwait(false);
        }
    }
}
