using MlServing.Inference.Errors;
using MlServing.Inference.Pipeline;

namespace MlServing.Api.Requests;

/// <summary>
/// Every response carries a request id in <c>X-Request-Id</c> (docs/MONITORING.md): the client's own when it sent a
/// valid one, otherwise a new one; an OIP request's <c>id</c> replaces it (written as UTF-8 when it is not ASCII, see
/// <see cref="ConfigureHeaderEncoding"/>). Feedback joins ground truth by this id.
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "X-Request-Id";

    /// <summary>Longest id kept (ids are stored with predictions and become store keys).</summary>
    public const int MaxLength = 256;


    /// <summary>
    /// Gives the request its id and writes it as <c>X-Request-Id</c> at once (the unhandled-exception handler writes it
    /// again on a 500, which starts from cleared headers); returns the 400 naming the header for a client value that is
    /// not a valid id.
    /// </summary>
    public static InferenceError? Assign(HttpContext context)
    {
        var sent = context.Request.Headers[HeaderName];
        var valid = sent.Count == 1 && IsValid(sent[0]);
        var feature = new RequestIdFeature(valid ? sent[0]! : NewId());
        context.Features.Set(feature);
        context.Response.Headers[HeaderName] = feature.Id;
        return valid || sent.Count == 0
            ? null
            : InferenceError.Invalid(HeaderName, $"X-Request-Id must be one value of 1 to {MaxLength} printable ASCII characters");
    }

    /// <summary>A new id (<see cref="ServerRequestIds"/>: a per-process random prefix and a counter).</summary>
    public static string NewId() => ServerRequestIds.NewId();

    /// <summary>Writes the request's id on a response whose headers were cleared (an error answer after a fault).</summary>
    public static void Rewrite(HttpContext context)
    {
        if (Of(context) is { } id)
        {
            context.Response.Headers[HeaderName] = id;
        }
    }

    /// <summary>Lets Kestrel write a non-ASCII OIP <c>id</c> in <c>X-Request-Id</c> (as UTF-8); every other header keeps its default.</summary>
    public static void ConfigureHeaderEncoding(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.ResponseHeaderEncodingSelector = static name => string.Equals(name, HeaderName, StringComparison.OrdinalIgnoreCase) ? System.Text.Encoding.UTF8 : null;
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

        if (id.Length > MaxLength || id.AsSpan().ContainsAnyInRange('\0', '\u001f') || id.Contains('\u007f', StringComparison.Ordinal))
        {
            return InferenceError.Invalid("id", $"'id' must be at most {MaxLength} characters without control characters (it is sent back as the X-Request-Id header)");
        }

        if (context.Features.Get<RequestIdFeature>() is { } feature)
        {
            feature.Id = id;
            context.Response.Headers[HeaderName] = id;
        }

        return null;
    }

    /// <summary>A client's header value: 1 to <see cref="MaxLength"/> printable ASCII characters.</summary>
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
