using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using MlServing.Inference.Errors;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Requests;

/// <summary>
/// The whole request body in one rented buffer, so JSON can be parsed in one pass with ranges into it, and raw tensor
/// data after a JSON header read in place (<see cref="Share"/>).
/// </summary>
public sealed class RequestBody : IDisposable
{
    /// <summary>Raw tensor data starts on this boundary of the buffer, so that any element type can be read in place.</summary>
    private const int Alignment = 8;

    private byte[]? _buffer;
    private SharedRentedBuffer? _shared;

    private RequestBody(byte[] buffer, int start, int length)
    {
        _buffer = buffer;
        Start = start;
        Length = length;
    }

    /// <summary>Where the body starts in <see cref="Share"/>'s buffer.</summary>
    public int Start { get; }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(Start, Length);

    /// <summary>Reads a JSON body up to <paramref name="limit"/> bytes, or returns the 413/415/400 that explains why not.</summary>
    public static ValueTask<(RequestBody? Body, InferenceError? Error)> ReadAsync(HttpContext context, long limit) => ReadAsync(context, limit, -1);

    /// <summary>
    /// Reads a body up to <paramref name="limit"/> bytes, or returns the 413/415/400 that explains why not. The content type
    /// must be JSON (or absent); with <paramref name="binaryFrom"/> ≥ 0 (a JSON header followed by raw tensor data from that
    /// offset of the body) also <c>application/octet-stream</c>, and the body is placed so that the raw data starts on an
    /// 8-byte boundary of the buffer.
    /// </summary>
    public static async ValueTask<(RequestBody? Body, InferenceError? Error)> ReadAsync(HttpContext context, long limit, int binaryFrom)
    {
        var request = context.Request;
        if (request.ContentType is { Length: > 0 } && !request.HasJsonContentType() && !(binaryFrom >= 0 && IsOctetStream(request.ContentType)))
        {
            return (null, InferenceError.Of(InferenceErrorKind.UnsupportedFormat, binaryFrom >= 0
                ? $"Content-Type must be application/octet-stream or application/json, not '{request.ContentType}'"
                : $"Content-Type must be application/json, not '{request.ContentType}'"));
        }

        if (request.ContentLength > limit)
        {
            return (null, InferenceError.TooLarge("body", $"the body has {request.ContentLength} bytes; the limit is {limit} (MlServing:Limits:MaxRequestBodyBytes)"));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        var start = binaryFrom > 0 ? (Alignment - (binaryFrom % Alignment)) % Alignment : 0;
        var buffer = ArrayPool<byte>.Shared.Rent(start + (int)Math.Clamp(request.ContentLength ?? 4096, 256, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (start + length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(start + (int)Math.Min((long)(buffer.Length - start) * 2, limit + 1));
                    buffer.AsSpan(0, start + length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(start + length), context.RequestAborted).ConfigureAwait(false);
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

        return (new RequestBody(buffer, start, length), null);
    }

    /// <summary>
    /// The buffer as one tensors can view in place (offsets from its start: the body begins at <see cref="Start"/>); it
    /// goes back to the pool when this body and every view are disposed.
    /// </summary>
    public SharedRentedBuffer Share()
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        return _shared ??= new SharedRentedBuffer(_buffer);
    }

    private static bool IsOctetStream(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase);

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
        if (_shared is not null)
        {
            _shared.Dispose();
            _shared = null;
        }
        else if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = null;
    }
}

/// <summary>Parses a whole JSON body held in memory; returns the 4xx that explains a bad one, or null.</summary>
public delegate InferenceError? JsonBodyParser(ReadOnlySpan<byte> json);
