using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using MlServing.Api.Requests;

namespace MlServing.Api.Errors;

/// <summary>The single place a genuine fault ends: logged once with its stack, answered with a generic 500.</summary>
internal sealed partial class UnhandledExceptionHandler : IExceptionHandler
{
    private readonly ILogger<UnhandledExceptionHandler> _logger;

    public UnhandledExceptionHandler(ILogger<UnhandledExceptionHandler> logger) => _logger = logger;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            httpContext.Response.StatusCode = HttpErrorMap.ClientClosedRequest;
            return true;
        }

        LogUnhandled(_logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        RequestIds.Rewrite(httpContext);
        if (ProtocolMetadata.Of(httpContext) == ApiProtocol.V2)
        {
            httpContext.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(httpContext.Response.Body, new OipError("internal server error; the fault is logged with trace id " + httpContext.TraceIdentifier), ApiJsonContext.Default.OipError, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            httpContext.Response.ContentType = "application/problem+json";
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Internal server error.",
                Detail = "The fault is logged with this trace id.",
                Extensions = { ["traceId"] = httpContext.TraceIdentifier },
            };
            await JsonSerializer.SerializeAsync(httpContext.Response.Body, problem, ApiJsonContext.Default.ProblemDetails, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    [LoggerMessage(EventId = 2001, EventName = "UnhandledException", Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
