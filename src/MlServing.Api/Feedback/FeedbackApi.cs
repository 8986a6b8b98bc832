using System.Text.Json;
using MlServing.Api.Requests;
using MlServing.Inference.Monitoring.Feedback;

namespace MlServing.Api.Feedback;

/// <summary><c>POST /v2/models/{name}/feedback</c> (docs/MONITORING.md): joins ground truth to the prediction stored under a request id.</summary>
internal static class FeedbackApi
{
    public static async Task JoinAsync(HttpContext context, HttpInference http)
    {
        var (body, error) = await RequestBody.ReadAsync(context, http.BodyLimit).ConfigureAwait(false);
        using (body)
        {
            var request = new FeedbackRequest();
            error ??= RequestBody.Parse(body!.Span, request.Parse);
            var feedback = context.RequestServices.GetRequiredService<FeedbackService>();
            var model = (string)context.Request.RouteValues["name"]!;
            error ??= await feedback.JoinAsync(model, request.Id!, request.Truth!, context.RequestAborted).ConfigureAwait(false);
            if (error is not null)
            {
                await HttpInference.WriteErrorAsync(context, error).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json; charset=utf-8";
            var rows = request.Truth!.Labels?.Length ?? request.Truth.Values!.Length;
            await JsonSerializer.SerializeAsync(context.Response.Body, new FeedbackResponse(request.Id!, rows), ApiJsonContext.Default.FeedbackResponse, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
