using FluentValidation;
using MlServing.Api.Errors;
using MlServing.Api.Observability;
using MlServing.Api.OpenApi;
using MlServing.Api.Requests;
using MlServing.Api.Security;
using MlServing.Api.Validation;

namespace MlServing.Api.Predict;

/// <summary><c>POST /predict</c>: the client-friendly JSON API (docs/API.md). Decodes, calls the engine service, encodes.</summary>
public static class PredictApi
{
    public static IEndpointRouteBuilder MapPredictApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var http = app.ServiceProvider.GetRequiredService<HttpInference>();
        var validator = app.ServiceProvider.GetRequiredService<IValidator<PredictRequest>>();
        Func<HttpContext, Task> handler = context => PredictAsync(context, http, validator);
        app.MapGroup(string.Empty).WithTags("Predict").WithMetadata(new ProtocolMetadata(ApiProtocol.Predict))
            .RequirePredictKey()
            .MapPost("/predict", handler)
            .WithMetadata(new InferenceRouteMetadata(RequestProtocol.Predict))
            .WithName("Predict")
            .WithSummary("Predict with rows of features (by position or by name) or named input tensors.")
            .WithMetadata(new RequestBodyDocumentation(typeof(PredictRequestDocument)))
            .Produces<PredictResponseDocument>(StatusCodes.Status200OK)
            .Add(builder => ErrorResponse.AddMetadata(builder, ApiProtocol.Predict, 400, 404, 413, 415, 429, 503, 504));
        return app;
    }

    internal static async Task PredictAsync(HttpContext context, HttpInference http, IValidator<PredictRequest> validator)
    {
        var telemetry = http.Start(context, RequestProtocol.Predict);
        using var request = await PredictRequest.ReadAsync(context, http).ConfigureAwait(false);

        // The model is known only now: a key that may not use it gets 403 whether or not the model exists.
        var forbidden = request.BodyError is null ? ApiKeyAccess.CheckModel(context, request.Lease?.Model.Name ?? request.Model) : null;
        if (forbidden is null)
        {
            HttpInference.Answering(context, telemetry, request.Lease);
        }

        var error = request.BodyError ?? forbidden ?? request.LookupError ?? EnvelopeValidation.Check(validator, request) ?? request.DecodeError;
        TimeSpan? timeout = null;
        error ??= RequestDeadline.Resolve(context.Request, null, out timeout);
        if (error is not null)
        {
            await HttpInference.WriteErrorAsync(context, error).ConfigureAwait(false);
            return;
        }

        using var call = request.TakeCall(HttpInference.BypassCache(context.Request), timeout, RequestIds.Of(context), out var rows);
        using var response = await http.InferAsync(context, request.Lease!, call).ConfigureAwait(false);
        if (response.Error is { } failure)
        {
            await HttpInference.WriteErrorAsync(context, failure).ConfigureAwait(false);
            return;
        }

        await HttpInference.WriteJsonAsync(context, (response, rows), static (writer, state) =>
            PredictResponseWriter.Write(writer, state.response.Model!, state.response.Outputs, state.rows)).ConfigureAwait(false);
    }
}
