using System.Text.Json;
using MlServing.Inference.Observability;

namespace MlServing.Api.Errors;

/// <summary>Writes an <see cref="ApiError"/> in the format of the protocol that received the request.</summary>
public sealed class ApiErrorResult : IResult, IStatusCodeHttpResult
{
    public ApiErrorResult(ApiError error, RequestProtocol protocol)
    {
        Error = error;
        Protocol = protocol;
    }

    public ApiError Error { get; }

    public RequestProtocol Protocol { get; }

    public int? StatusCode => Error.Status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (httpContext.RequestAborted.IsCancellationRequested || response.HasStarted)
        {
            return;
        }

        response.StatusCode = Error.Status;
        if (Error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Protocol == RequestProtocol.V2)
        {
            response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(response.Body, new OipError(Error.Detail), ApiJsonContext.Default.OipError, httpContext.RequestAborted).ConfigureAwait(false);
            return;
        }

        var problem = new HttpValidationProblemDetails(Error.Errors ?? new Dictionary<string, string[]>())
        {
            Status = Error.Status,
            Title = Error.Title,
            Detail = Error.Detail,
            Instance = httpContext.Request.Path,
        };
        problem.Extensions["traceId"] = httpContext.TraceIdentifier;
        response.ContentType = "application/problem+json";
        await JsonSerializer.SerializeAsync(response.Body, problem, ApiJsonContext.Default.HttpValidationProblemDetails, httpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Describes the protocol's error responses to OpenAPI.</summary>
    internal static void AddMetadata(EndpointBuilder builder, RequestProtocol protocol, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Metadata.Add(protocol == RequestProtocol.V2
                ? new ProducesResponseTypeMetadata(status, typeof(OipError), ["application/json"])
                : new ProducesResponseTypeMetadata(status, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
        }
    }
}

/// <summary>The Open Inference Protocol error body.</summary>
public sealed record OipError(string Error);
