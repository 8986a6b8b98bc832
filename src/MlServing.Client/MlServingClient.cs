using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using MlServing.Client.OpenInference;
using MlServing.Client.Predict;

namespace MlServing.Client;

/// <summary>
/// A typed client for an MlServing server: <c>POST /predict</c>, Open Inference Protocol REST (JSON) inference and
/// model metadata. Register it with <see cref="MlServingClientServiceCollectionExtensions.AddMlServingClient"/>, which
/// sets the address and API key and retries 429/503 answers honouring <c>Retry-After</c>. Error answers throw
/// <see cref="MlServingClientException"/> with the server's reason.
/// </summary>
public sealed class MlServingClient
{
    /// <summary>The header that bounds how long a request may wait in the server's queue.</summary>
    public const string RequestTimeoutHeader = "X-Request-Timeout-Ms";

    private readonly HttpClient _http;
    private readonly TimeSpan? _requestTimeout;

    public MlServingClient(HttpClient http, IOptions<MlServingClientOptions> options)
    {
        _http = http;
        _requestTimeout = options.Value.RequestTimeout;
    }

    /// <summary><c>GET /v2/models/{model}[/versions/{version}]</c>.</summary>
    public Task<ModelMetadata> GetModelMetadataAsync(string model, string? version = null, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ModelPath(model, version)), ClientJsonContext.Default.ModelMetadata, cancellationToken);

    /// <summary><c>POST /v2/models/{model}[/versions/{version}]/infer</c> with a JSON body.</summary>
    public Task<InferResponse> InferAsync(string model, InferRequest request, string? version = null, CancellationToken cancellationToken = default)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, ModelPath(model, version) + "/infer")
        {
            Content = JsonContent.Create(request, ClientJsonContext.Default.InferRequest),
        };
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

    private async Task<T> SendAsync<T>(HttpRequestMessage message, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (message)
        {
            if (_requestTimeout is { } timeout)
            {
                message.Headers.TryAddWithoutValidation(RequestTimeoutHeader, ((long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture));
            }

            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var reason = ErrorBody.TryDescribe(body) ?? (body.Length > 0 ? body : response.ReasonPhrase ?? "no reason given");
                throw new MlServingClientException(response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {reason}");
            }

            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new MlServingClientException(response.StatusCode, "the server answered an empty body (null)");
        }
    }
}
