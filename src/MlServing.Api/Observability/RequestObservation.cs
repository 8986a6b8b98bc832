using MlServing.Api.Errors;
using MlServing.Api.Requests;

namespace MlServing.Api.Observability;

/// <summary>
/// The one middleware that observes every request, with one clock reading at each end: its request id, the record of an
/// inference route (counted in the request metrics, refusals by API keys included), the HTTP duration histogram, and
/// the structured request log line. Nothing is formatted when the log level is off.
/// </summary>
internal sealed partial class RequestObservation
{
    private readonly RequestDelegate _next;
    private readonly RequestMetrics _requests;
    private readonly HttpRequestMetrics _http;
    private readonly TimeProvider _time;
    private readonly ILogger<RequestObservation> _logger;

    public RequestObservation(RequestDelegate next, RequestMetrics requests, HttpRequestMetrics http, TimeProvider time, ILogger<RequestObservation> logger)
    {
        _next = next;
        _requests = requests;
        _http = http;
        _time = time;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        var refusal = RequestIds.Assign(context);
        var telemetry = context.GetEndpoint()?.Metadata.GetMetadata<InferenceRouteMetadata>() is { } route
            ? RequestTelemetry.Attach(context, route.Protocol, _requests, _time, started)
            : null;
        var faulted = false;
        try
        {
            await (refusal is null ? _next(context) : ErrorResponse.WriteAsync(context, refusal)).ConfigureAwait(false);
        }
        catch
        {
            faulted = true;
            throw;
        }
        finally
        {
            var status = faulted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var elapsed = _time.GetElapsedTime(started);
            _http.Observe(context, status, elapsed.TotalSeconds);
            telemetry?.Complete(status, faulted, elapsed);
            var level = faulted || status >= 500 ? LogLevel.Error : IsProbeOrScrape(context.Request.Path) ? LogLevel.Debug : LogLevel.Information;
            if (_logger.IsEnabled(level))
            {
                Log(context, level, telemetry, status, elapsed);
            }
        }
    }

    private void Log(HttpContext context, LogLevel level, RequestTelemetry? telemetry, int status, TimeSpan elapsed)
    {
        var model = telemetry?.Model;
        var path = context.Request.Path.Value ?? "/";
        var id = RequestIds.Of(context) ?? "-";
        var key = context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : "-";
        RequestCompleted(_logger, level, context.Request.Method, path, id, key, model?.Name ?? "-", model?.VersionText ?? "-", status, elapsed.TotalMilliseconds);
    }

    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/v2/health") || path.StartsWithSegments("/swagger");

    /// <summary>The request line: the API key's name (never the key), the version that answered, never the payload.</summary>
    [LoggerMessage(EventId = 2201, EventName = "RequestCompleted",
        Message = "HTTP {RequestMethod} {RequestPath} id={ClientRequestId} key={ApiKey} model={Model} version={ModelVersion} responded {StatusCode} in {Elapsed:0.000} ms")]
    private static partial void RequestCompleted(ILogger logger, LogLevel level, string requestMethod, string requestPath, string clientRequestId, string apiKey, string model, string modelVersion, int statusCode, double elapsed);
}
