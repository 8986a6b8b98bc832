using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using MlServing.Inference.Errors;

namespace MlServing.Api.Requests;

/// <summary>The whole request body in one rented buffer, so JSON can be parsed in one pass with ranges into it.</summary>
public sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>Reads a JSON body up to <paramref name="limit"/> bytes, or returns the 413/415/400 that explains why not.</summary>
    public static async ValueTask<(RequestBody? Body, InferenceError? Error)> ReadAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentType is { Length: > 0 } && !request.HasJsonContentType())
        {
            return (null, InferenceError.Of(InferenceErrorKind.UnsupportedFormat, $"Content-Type must be application/json, not '{request.ContentType}'"));
        }

        if (request.ContentLength > limit)
        {
            return (null, InferenceError.TooLarge("body", $"the body has {request.ContentLength} bytes; the limit is {limit} (MlServing:Limits:MaxRequestBodyBytes)"));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 4096, 256, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, InferenceError.TooLarge("body", $"the body is over the limit of {limit} bytes (MlServing:Limits:MaxRequestBodyBytes)"));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, InferenceError.TooLarge("body", $"the body is over the limit of {limit} bytes (MlServing:Limits:MaxRequestBodyBytes)"));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (length == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, InferenceError.Invalid("body", "the request body is empty; send a JSON object"));
        }

        return (new RequestBody(buffer, length), null);
    }

    /// <summary>Runs <paramref name="parse"/> over a whole JSON body; malformed JSON or text becomes a 400 on <c>body</c>.</summary>
    public static InferenceError? Parse(ReadOnlySpan<byte> json, JsonBodyParser parse)
    {
        try
        {
            return parse(json);
        }
        catch (JsonException ex)
        {
            return InferenceError.Invalid("body", "malformed JSON: " + ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader.GetString: a string holds invalid UTF-8 or an unpaired surrogate escape.
            return InferenceError.Invalid("body", "a string is not valid Unicode text: " + ex.Message);
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}

/// <summary>Parses a whole JSON body held in memory; returns the 4xx that explains a bad one, or null.</summary>
public delegate InferenceError? JsonBodyParser(ReadOnlySpan<byte> json);
