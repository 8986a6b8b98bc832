using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MlServing.Inference.Tensors;

/// <summary>
/// The raw tensor layout of the Open Inference Protocol's fast paths (the REST binary tensor extension and gRPC
/// <c>raw_input_contents</c>/<c>raw_output_contents</c>): elements little-endian and row-major without padding, BOOL
/// one byte 0 or 1, each BYTES element a 4-byte little-endian length followed by its bytes. Error messages name no
/// field: the front end prefixes its own.
/// </summary>
public static class RawTensorCodec
{
    private const int LengthPrefix = 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether numeric data starting <paramref name="offset"/> bytes into a buffer can be read in place (element-aligned).</summary>
    public static bool IsAligned(TensorDataType type, int offset) => type != TensorDataType.Bytes && offset % type.ElementSize() == 0;

    /// <summary>
    /// Checks raw data against its datatype and shape: the byte count of a fixed-size type, BOOL bytes, and for BYTES that
    /// every length prefix fits and the elements fill the data exactly. Returns what is wrong, or null.
    /// </summary>
    public static string? Check(TensorDataType type, long[] shape, ReadOnlySpan<byte> data)
    {
        var count = PooledTensor.CountElements(shape);
        if (count < 0)
        {
            return "the shape describes more elements than any request can carry";
        }

        if (type == TensorDataType.Bytes)
        {
            return WalkStrings(shape, count, data, null);
        }

        var expected = count * type.ElementSize();
        if (data.Length != expected)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the raw data has {data.Length} bytes; shape [{Dims(shape)}] of {type.ToProtocolName()} needs {expected} ({count} elements of {type.ElementSize()} bytes)");
        }

        if (type == TensorDataType.Bool && data.IndexOfAnyExcept((byte)0, (byte)1) is var bad and >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"element {bad}: a BOOL element is one byte, 0 or 1, got {data[bad]}");
        }

        return null;
    }

    /// <summary>
    /// Decodes raw data into a tensor of its own: numeric elements copied into a rented buffer, BYTES elements decoded as
    /// UTF-8 text (the model receives ONNX strings). Returns what is wrong, or null with <paramref name="tensor"/> set.
    /// </summary>
    public static string? Decode(string name, TensorDataType type, long[] shape, ReadOnlySpan<byte> data, out PooledTensor? tensor)
    {
        tensor = null;
        var error = Check(type, shape, data);
        if (error is not null)
        {
            return error;
        }

        if (type != TensorDataType.Bytes)
        {
            tensor = PooledTensor.Copy(name, type, shape, data);
            return null;
        }

        var count = (int)PooledTensor.CountElements(shape);
        var strings = ArrayPool<string>.Shared.Rent(Math.Max(1, count));
        error = WalkStrings(shape, count, data, strings);
        if (error is not null)
        {
            ArrayPool<string>.Shared.Return(strings, clearArray: true);
            return error;
        }

        tensor = PooledTensor.FromRentedStrings(name, shape, strings, count);
        return null;
    }

    /// <summary>
    /// Like <see cref="Decode"/>, but numeric data whose memory is element-aligned becomes the tensor's storage without a
    /// copy. <paramref name="data"/> must not change while the tensor lives (an immutable protobuf <c>ByteString</c>).
    /// </summary>
    public static string? DecodeInPlace(string name, TensorDataType type, long[] shape, ReadOnlyMemory<byte> data, out PooledTensor? tensor)
    {
        if (type != TensorDataType.Bytes && MemoryMarshal.TryGetArray(data, out var segment) && IsAligned(type, segment.Offset))
        {
            tensor = null;
            var error = Check(type, shape, data.Span);
            if (error is null)
            {
                tensor = new PooledTensor(name, type, shape, new MemoryStorage(data), 0, data.Length / type.ElementSize());
            }

            return error;
        }

        return Decode(name, type, shape, data.Span, out tensor);
    }

    /// <summary>The bytes <see cref="Encode(PooledTensor, Span{byte})"/> writes for <paramref name="tensor"/>.</summary>
    public static int EncodedLength(PooledTensor tensor)
    {
        if (!tensor.IsStrings)
        {
            return tensor.ByteLength;
        }

        var length = 0;
        foreach (var value in tensor.Strings)
        {
            length += EncodedLength(value);
        }

        return length;
    }

    /// <summary>The bytes one BYTES element takes: its length prefix and its UTF-8 text.</summary>
    public static int EncodedLength(string value) => LengthPrefix + Encoding.UTF8.GetByteCount(value);

    /// <summary>Writes one BYTES element (length prefix and UTF-8 text) into <see cref="EncodedLength(string)"/> bytes.</summary>
    public static void Encode(string value, Span<byte> destination)
    {
        var written = Encoding.UTF8.GetBytes(value, destination[LengthPrefix..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination, written);
    }

    /// <summary>Writes <paramref name="tensor"/> in the raw layout; <paramref name="destination"/> holds <see cref="EncodedLength(PooledTensor)"/> bytes.</summary>
    public static void Encode(PooledTensor tensor, Span<byte> destination)
    {
        if (!tensor.IsStrings)
        {
            tensor.Bytes.CopyTo(destination);
            return;
        }

        var position = 0;
        foreach (var value in tensor.Strings)
        {
            var length = EncodedLength(value);
            Encode(value, destination.Slice(position, length));
            position += length;
        }
    }

    /// <summary>Decodes one BYTES element: strict UTF-8, since the model receives it as an ONNX string (text).</summary>
    public static bool TryDecodeText(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>The message for a BYTES element that is not UTF-8 text.</summary>
    public static string NotText(int element) =>
        string.Create(CultureInfo.InvariantCulture, $"element {element} is not valid UTF-8 (BYTES elements reach the model as ONNX strings, which are text)");

    /// <summary>Walks the length-prefixed elements; fills <paramref name="strings"/> when given.</summary>
    private static string? WalkStrings(long[] shape, long count, ReadOnlySpan<byte> data, string[]? strings)
    {
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            if (data.Length - position < LengthPrefix)
            {
                return position == data.Length
                    ? string.Create(CultureInfo.InvariantCulture, $"shape [{Dims(shape)}] needs {count} BYTES elements, the raw data holds {i}")
                    : string.Create(CultureInfo.InvariantCulture, $"element {i}: its 4-byte length prefix runs past the end of the data ({data.Length - position} bytes left)");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
            position += LengthPrefix;
            if (length > (uint)(data.Length - position))
            {
                return string.Create(CultureInfo.InvariantCulture, $"element {i}: its length prefix says {length} bytes, only {data.Length - position} remain");
            }

            var bytes = data.Slice(position, (int)length);
            position += (int)length;
            if (strings is null)
            {
                continue;
            }

            if (!TryDecodeText(bytes, out strings[i]))
            {
                return NotText(i);
            }
        }

        return position == data.Length
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{data.Length - position} bytes are left after the {count} BYTES elements that shape [{Dims(shape)}] describes");
    }

    private static string Dims(long[] shape) => string.Join(',', shape);
}
