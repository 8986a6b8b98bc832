using System.Text.Json;
using Microsoft.Extensions.Options;
using MlServing.Api.Errors;
using MlServing.Api.Observability;
using MlServing.Inference.Errors;
using MlServing.Inference.Serving;

namespace MlServing.Api.Requests;

/// <summary>
/// What both JSON inference APIs share around their own decoding and encoding: the engine service, the request
/// record for metrics and logs, the body limit, the queue timeout and cache choice, and the two ways a response ends.
/// </summary>
public sealed class HttpInference
{
    private readonly RequestMetrics _metrics;
    private readonly TimeProvider _time;

    public HttpInference(InferenceService service, RequestMetrics metrics, TimeProvider time, IOptions<RequestLimitsOptions> limits)
    {
        Service = service;
        _metrics = metrics;
        _time = time;
        BodyLimit = limits.Value.MaxRequestBodyBytes;
    }

    public InferenceService Service { get; }

    /// <summary>The response header naming the version that answered (always its number, never an alias).</summary>
    public const string ModelVersionHeader = "X-Model-Version";

    /// <summary>Reads a request header for the engine (the traffic policy's sticky header).</summary>
    public static readonly Func<IHeaderDictionary, string, string?> Header =
        static (headers, name) => headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>Resolves the model version a request asks for, routed by the model's traffic policy when it names none.</summary>
    public ModelResolution Resolve(HttpContext context, string? model, string? version) =>
        Service.Resolve(model, version, Header, context.Request.Headers);

    /// <summary>Records which version answers: the request log, the metrics and the <c>X-Model-Version</c> header.</summary>
    public static void Answering(HttpContext context, RequestTelemetry telemetry, ModelLease? lease)
    {
        if (lease is not null)
        {
            telemetry.Model = lease.Model;
            context.Response.Headers[ModelVersionHeader] = lease.Model.VersionText;
        }
    }

    public long BodyLimit { get; }

    /// <summary>The request's record: the one the telemetry middleware started, or a new one when the handler runs alone.</summary>
    public RequestTelemetry Start(HttpContext context, RequestProtocol protocol) =>
        context.Features.Get<RequestTelemetry>() ?? RequestTelemetry.Start(context, protocol, _metrics, _time);

    /// <summary>Runs the call on the leased version; the response owns the outputs.</summary>
    public ValueTask<InferenceResponse> InferAsync(HttpContext context, ModelLease lease, InferenceCall call) =>
        Service.InferAsync(lease, call, context.RequestAborted);

    /// <summary>Whether the client asked to skip the prediction cache (<c>Cache-Control: no-cache</c> or <c>no-store</c>).</summary>
    public static bool BypassCache(HttpRequest request)
    {
        foreach (var value in request.Headers.CacheControl)
        {
            if (value is not null && (value.Contains("no-cache", StringComparison.OrdinalIgnoreCase) || value.Contains("no-store", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    public static Task WriteErrorAsync(HttpContext context, InferenceError error) => ErrorResponse.WriteAsync(context, error);

    /// <summary>A 200 JSON body written straight to the response pipe.</summary>
    public static async Task WriteJsonAsync<TState>(HttpContext context, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            write(writer, state);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
