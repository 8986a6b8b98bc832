using System.Diagnostics;
using MlServing.Api.Validation;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;

namespace MlServing.Api.Observability;

/// <summary>
/// Per-request record for the inference endpoints: counted in <c>mlserving_inference_requests_total</c> and
/// <c>mlserving_request_duration_seconds</c> once the response has been sent, and read by the request log.
/// </summary>
internal sealed class InferenceTelemetry
{
    private readonly MlServingMetrics _metrics;

    private readonly HttpContext _context;

    private InferenceTelemetry(HttpContext context, MlServingMetrics metrics, RequestProtocol protocol)
    {
        _context = context;
        _metrics = metrics;
        Protocol = protocol;
        StartTimestamp = Stopwatch.GetTimestamp();
    }

    public RequestProtocol Protocol { get; }

    public long StartTimestamp { get; }

    public ModelVersion? Model { get; private set; }

    public static TBuilder AddInferenceTelemetry<TBuilder>(TBuilder builder, RequestProtocol protocol)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var telemetry = new InferenceTelemetry(context, context.RequestServices.GetRequiredService<MlServingMetrics>(), protocol);
            foreach (var argument in invocation.Arguments)
            {
                if (argument is IValidatedRequest request)
                {
                    telemetry.Model = request.Lookup.Model;
                    break;
                }
            }

            context.Features.Set(telemetry);
            context.Response.OnCompleted(static state => ((InferenceTelemetry)state).Complete(), telemetry);
            return await next(invocation).ConfigureAwait(false);
        });
        return builder;
    }

    private Task Complete()
    {
        var context = _context;
        {
            var seconds = Stopwatch.GetElapsedTime(StartTimestamp).TotalSeconds;
            var outcome = OutcomeOf(context.RequestAborted.IsCancellationRequested ? 499 : context.Response.StatusCode);
            if (Model is { } model)
            {
                model.Metrics.CountRequest(Protocol, outcome, seconds);
            }
            else
            {
                _metrics.CountUnresolved(Protocol, outcome, seconds);
            }
        }

        return Task.CompletedTask;
    }

    internal static RequestOutcome OutcomeOf(int status) => status switch
    {
        < 400 => RequestOutcome.Success,
        404 => RequestOutcome.NotFound,
        429 or 503 or 499 => RequestOutcome.Rejected,
        504 => RequestOutcome.Timeout,
        < 500 => RequestOutcome.Invalid,
        _ => RequestOutcome.Error,
    };
}
