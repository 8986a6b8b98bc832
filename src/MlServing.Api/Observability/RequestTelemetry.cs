using MlServing.Inference.Errors;
using MlServing.Inference.Repository;

namespace MlServing.Api.Observability;

/// <summary>
/// Per-request record of an inference route: which version answered and how it ended. Counted once the response has
/// been sent (<see cref="RequestMetrics"/>), and read by the request log line.
/// </summary>
public sealed class RequestTelemetry
{
    private readonly HttpContext _context;
    private readonly RequestMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly RequestProtocol _protocol;
    private readonly long _started;
    private InferenceErrorKind? _error;
    private bool _faulted;

    private RequestTelemetry(HttpContext context, RequestMetrics metrics, TimeProvider time, RequestProtocol protocol, long started)
    {
        _context = context;
        _metrics = metrics;
        _time = time;
        _protocol = protocol;
        _started = started;
    }

    /// <summary>The version that answered (or was asked for); null while unresolved.</summary>
    public ModelVersion? Model { get; set; }

    /// <summary>The record of a request that <see cref="RequestObservation"/> completes (it started it at <paramref name="started"/>).</summary>
    public static RequestTelemetry Attach(HttpContext context, RequestProtocol protocol, RequestMetrics metrics, TimeProvider time, long started)
    {
        var telemetry = new RequestTelemetry(context, metrics, time, protocol, started);
        context.Features.Set(telemetry);
        return telemetry;
    }

    /// <summary>A record completed when the response has been sent, for a host without <see cref="RequestObservation"/>.</summary>
    public static RequestTelemetry Start(HttpContext context, RequestProtocol protocol, RequestMetrics metrics, TimeProvider time)
    {
        var telemetry = Attach(context, protocol, metrics, time, time.GetTimestamp());
        context.Response.OnCompleted(static state =>
        {
            var telemetry = (RequestTelemetry)state;
            telemetry.Complete(telemetry._context.Response.StatusCode, faulted: false, telemetry._time.GetElapsedTime(telemetry._started));
            return Task.CompletedTask;
        }, telemetry);
        return telemetry;
    }

    /// <summary>Records the kind of an expected failure, which decides the outcome label.</summary>
    public void Failed(InferenceErrorKind kind) => _error = kind;

    /// <summary>Records a genuine fault where the HTTP status cannot tell (a gRPC call ends with HTTP 200 whatever its status).</summary>
    public void Faulted() => _faulted = true;

    /// <summary>Counts the request with the outcome its error kind, fault or status says.</summary>
    public void Complete(int status, bool faulted, TimeSpan elapsed)
    {
        var outcome = faulted || _faulted ? RequestOutcome.Error
            : _error is { } kind ? Outcomes.Of(kind)
            : _context.RequestAborted.IsCancellationRequested ? RequestOutcome.Rejected
            : Outcomes.OfStatus(status);
        _metrics.Count(Model, _protocol, outcome, elapsed.TotalSeconds);
    }
}
