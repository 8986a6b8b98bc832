using System.Globalization;
using System.Text.Json;
using MlServing.Api.Grpc;
using MlServing.Api.Observability;
using MlServing.Inference.Errors;

namespace MlServing.Api.Errors;

/// <summary>Writes an <see cref="InferenceError"/> in the format of the route's protocol: problem+json for /predict, <c>{"error"}</c> for /v2.</summary>
public sealed class ErrorResponse : IResult, IStatusCodeHttpResult
{
    private readonly InferenceError _error;

    public ErrorResponse(InferenceError error) => _error = error;

    public int? StatusCode => null;

    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, _error);

    public static async Task WriteAsync(HttpContext context, InferenceError error)
    {
        context.Features.Get<RequestTelemetry>()?.Failed(error.Kind);
        var response = context.Response;
        if (context.RequestAborted.IsCancellationRequested || response.HasStarted)
        {
            response.StatusCode = response.HasStarted ? response.StatusCode : HttpErrorMap.ClientClosedRequest;
            return;
        }

        var protocol = ProtocolMetadata.Of(context);
        if (protocol == ApiProtocol.Grpc)
        {
            // Refused before the gRPC method ran (API key, rate limit): gRPC's trailers-only form, which clients read as
            // the call's status (an HTTP 401 or 429 would reach them as UNAUTHENTICATED or UNAVAILABLE at best).
            GrpcErrorMap.WriteTrailersOnly(response, error);
            return;
        }

        var status = context.RequestServices.GetRequiredService<HttpErrorMap>().StatusOf(error.Kind);
        response.StatusCode = status;
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        if (protocol == ApiProtocol.V2)
        {
            response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(response.Body, new OipError(error.Message), ApiJsonContext.Default.OipError, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (error.Fields is { } errors)
        {
            foreach (var (field, messages) in errors)
            {
                fields[field] = messages;
            }
        }

        var problem = new HttpValidationProblemDetails(fields)
        {
            Status = status,
            Title = HttpErrorMap.TitleOf(error.Kind),
            Detail = error.Message,
            Instance = context.Request.Path,
        };
        problem.Extensions["traceId"] = context.TraceIdentifier;
        response.ContentType = "application/problem+json";
        await JsonSerializer.SerializeAsync(response.Body, problem, ApiJsonContext.Default.HttpValidationProblemDetails, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Describes the protocol's error responses to OpenAPI.</summary>
    internal static void AddMetadata(EndpointBuilder builder, ApiProtocol protocol, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Metadata.Add(protocol == ApiProtocol.V2
                ? new ProducesResponseTypeMetadata(status, typeof(OipError), ["application/json"])
                : new ProducesResponseTypeMetadata(status, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
        }
    }
}

/// <summary>The Open Inference Protocol error body.</summary>
public sealed record OipError(string Error);
