using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MlServing.Api.Errors;
using MlServing.Api.Hosting;
using MlServing.Api.Observability;
using MlServing.Api.OpenApi;
using MlServing.Api.Requests;
using MlServing.Api.Validation;
using MlServing.Inference.Observability;

namespace MlServing.Api.Predict;

/// <summary><c>POST /predict</c>: the client-friendly JSON API (DESIGN §3.1).</summary>
public static class PredictApi
{
    public static IEndpointRouteBuilder MapPredictApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup(string.Empty).WithTags("Predict");
        InferenceTelemetry.AddInferenceTelemetry(group, RequestProtocol.Predict);
        group.MapPost("/predict", PredictAsync)
            .WithName("Predict")
            .WithSummary("Predict with rows of features (by position or by name) or named input tensors.")
            .WithMetadata(new RequestBodyDocumentation(typeof(PredictRequestDocument)))
            .WithRequestValidation()
            .Add(builder =>
            {
                ValidationFilter.AddValidationMetadata(builder);
                ApiErrorResult.AddMetadata(builder, RequestProtocol.Predict, 404, 413, 415, 429, 503, 504);
            });
        return app;
    }

    internal static async Task<Results<PredictResponseResult, ApiErrorResult>> PredictAsync(PredictRequest request, IOptions<RequestLimitsOptions> limits, IOptions<ServingOptions> serving, HttpContext context)
    {
        var model = request.Lookup.Model!;
        var (inference, error) = PredictDecoder.Decode(request, model, limits.Value.MaxRowsPerRequest);
        if (error is not null)
        {
            return new ApiErrorResult(error, RequestProtocol.Predict);
        }

        var rows = PredictDecoder.RowsOf(inference!.Inputs);
        var (result, failure) = await InferenceExecution.RunAsync(context, model, inference, null, serving.Value.QueueFullStatusCode).ConfigureAwait(false);
        return failure is null ? new PredictResponseResult(model, result!, rows) : new ApiErrorResult(failure, RequestProtocol.Predict);
    }
}
