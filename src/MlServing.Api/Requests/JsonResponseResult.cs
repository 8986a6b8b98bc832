using System.Text.Json;

namespace MlServing.Api.Requests;

/// <summary>A 200 JSON body written straight to the response pipe with <see cref="Utf8JsonWriter"/>.</summary>
internal abstract class JsonResponseResult : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            Write(writer);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }

    protected abstract void Write(Utf8JsonWriter writer);
}
