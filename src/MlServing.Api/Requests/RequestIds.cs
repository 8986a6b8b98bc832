using MlServing.Api.Errors;
using MlServing.Inference.Errors;

namespace MlServing.Api.Requests;

/// <summary>
/// Every response carries a request id in <c>X-Request-Id</c> (docs/MONITORING.md): the client's own when it sent a
/// valid one, otherwise a new one; an OIP request's <c>id</c> replaces it. Feedback joins ground truth by this id.
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "X-Request-Id";

    /// <summary>Longest id kept (ids are stored with predictions and become store keys).</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// Gives every request its id and writes it as <c>X-Request-Id</c> when the response starts (so error answers,
    /// 500s included, carry it too); a client value that is not a valid id is a 400 naming the header.
    /// </summary>
    public static IApplicationBuilder UseMlServingRequestIds(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(static (context, next) =>
        {
            var sent = context.Request.Headers[HeaderName];
            var valid = sent.Count == 1 && IsValid(sent[0]);
            var feature = new RequestIdFeature(valid ? sent[0]! : Guid.NewGuid().ToString("N"));
            context.Features.Set(feature);
            context.Response.OnStarting(static state =>
            {
                var context = (HttpContext)state;
                context.Response.Headers[HeaderName] = context.Features.Get<RequestIdFeature>()!.Id;
                return Task.CompletedTask;
            }, context);
            return valid || sent.Count == 0
                ? next(context)
                : ErrorResponse.WriteAsync(context, InferenceError.Invalid(HeaderName, $"X-Request-Id must be one value of 1 to {MaxLength} printable ASCII characters"));
        });
    }

    /// <summary>The id this response carries (null when the request-id middleware did not run).</summary>
    public static string? Of(HttpContext context) => context.Features.Get<RequestIdFeature>()?.Id;

    /// <summary>Makes <paramref name="id"/> (an OIP request's <c>id</c>) the response's request id, or returns the 400 naming <c>id</c>.</summary>
    public static InferenceError? Adopt(HttpContext context, string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        if (!IsValid(id))
        {
            return InferenceError.Invalid("id", $"'id' must be 1 to {MaxLength} printable ASCII characters (it is sent back as the X-Request-Id header)");
        }

        if (context.Features.Get<RequestIdFeature>() is { } feature)
        {
            feature.Id = id;
        }

        return null;
    }

    /// <summary>1 to <see cref="MaxLength"/> printable ASCII characters: what a header can carry and a store can key by.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private sealed class RequestIdFeature(string id)
    {
        public string Id { get; set; } = id;
    }
}
