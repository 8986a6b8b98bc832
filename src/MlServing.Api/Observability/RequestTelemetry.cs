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

    private RequestTelemetry(HttpContext context, RequestMetrics metrics, TimeProvider time, RequestProtocol protocol)
    {
        _context = context;
        _metrics = metrics;
        _time = time;
        _protocol = protocol;
        _started = time.GetTimestamp();
    }

    /// <summary>The version that answered (or was asked for); null while unresolved.</summary>
    public ModelVersion? Model { get; set; }

    public static RequestTelemetry Start(HttpContext context, RequestProtocol protocol, RequestMetrics metrics, TimeProvider time)
    {
        var telemetry = new RequestTelemetry(context, metrics, time, protocol);
        context.Features.Set(telemetry);
        context.Response.OnCompleted(static state => ((RequestTelemetry)state).Complete(), telemetry);
        return telemetry;
    }

    /// <summary>Records the kind of an expected failure, which decides the outcome label.</summary>
    public void Failed(InferenceErrorKind kind) => _error = kind;

    /// <summary>Records a genuine fault where the HTTP status cannot tell (a gRPC call ends with HTTP 200 whatever its status).</summary>
    public void Faulted() => _faulted = true;

    private Task Complete()
    {
        var outcome = _faulted ? RequestOutcome.Error
            : _error is { } kind ? Outcomes.Of(kind)
            : _context.RequestAborted.IsCancellationRequested ? RequestOutcome.Rejected
            : Outcomes.OfStatus(_context.Response.StatusCode);
        _metrics.Count(Model, _protocol, outcome, _time.GetElapsedTime(_started).TotalSeconds);
        return Task.CompletedTask;
    }
}
