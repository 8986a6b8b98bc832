using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Caching;

/// <summary>
/// Compact binary form of one cached prediction (one row, or a whole request): every output's kind, datatype,
/// dims and raw bytes, sealed with an XxHash64 of the payload so a corrupted value is detected and never returned.
/// </summary>
internal static class CacheEntryCodec
{
    private const byte FormatVersion = 2;
    private const byte Numeric = 0;
    private const byte Strings = 1;

    /// <summary>Encodes rows [row, row+1) of every output (<paramref name="row"/> = -1: the whole tensors).</summary>
    public static byte[] Encode(PooledTensor[] outputs, int rows, int row)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        writer.Write([FormatVersion]);
        WriteInt(writer, outputs.Length);
        foreach (var output in outputs)
        {
            var whole = row < 0;
            var dims = whole ? output.Shape.AsSpan() : output.Shape.AsSpan(1);
            var kind = output.IsStrings ? Strings : Numeric;
            writer.Write([kind, (byte)output.DataType, (byte)dims.Length]);
            foreach (var dim in dims)
            {
                WriteLong(writer, dim);
            }

            if (output.IsStrings)
            {
                var perRow = whole ? output.ElementCount : output.ElementCount / rows;
                var start = whole ? 0 : row * perRow;
                WriteInt(writer, perRow);
                foreach (var value in output.Strings.Slice(start, perRow))
                {
                    WriteString(writer, value);
                }
            }
            else
            {
                var length = whole ? output.ByteLength : output.ByteLength / rows;
                WriteInt(writer, length);
                writer.Write(output.Bytes.Slice(whole ? 0 : row * length, length));
            }
        }

        Span<byte> checksum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, XxHash64.HashToUInt64(writer.WrittenSpan));
        writer.Write(checksum);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Checks an entry against the model's outputs; false for anything corrupted, truncated or from another
    /// layout. On success <paramref name="outputs"/> holds each output's view into <paramref name="entry"/>.
    /// </summary>
    public static bool TryDecode(byte[] entry, ModelSignature signature, CachedOutput[] outputs)
    {
        if (entry.Length < 13 || entry[0] != FormatVersion)
        {
            return false;
        }

        var payload = entry.AsSpan(0, entry.Length - 8);
        if (XxHash64.HashToUInt64(payload) != BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(entry.Length - 8)))
        {
            return false;
        }

        var position = 1;
        if (!TryReadInt(payload, ref position, out var count) || count != signature.Outputs.Length)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (position + 3 > payload.Length)
            {
                return false;
            }

            var kind = payload[position];
            var type = (TensorDataType)payload[position + 1];
            var rank = payload[position + 2];
            position += 3;
            var spec = signature.Outputs[i];
            if (type != spec.DataType || kind != (type == TensorDataType.Bytes ? Strings : Numeric) || position + (rank * 8) > payload.Length)
            {
                return false;
            }

            var dims = new long[rank];
            for (var d = 0; d < rank; d++)
            {
                dims[d] = BinaryPrimitives.ReadInt64LittleEndian(payload.Slice(position + (d * 8)));
            }

            position += rank * 8;
            var start = position;
            if (!TryReadInt(payload, ref position, out var length) || length < 0)
            {
                return false;
            }

            if (kind == Numeric)
            {
                var expected = PooledTensor.CountElements(dims) * type.ElementSize();
                if (length != expected || position + length > payload.Length)
                {
                    return false;
                }

                position += length;
            }
            else if (!SkipStrings(payload, ref position, length))
            {
                return false;
            }

            outputs[i] = new CachedOutput(kind, type, dims, entry, start, position - start);
        }

        return position == payload.Length;
    }

    private static bool SkipStrings(ReadOnlySpan<byte> payload, ref int position, int count)
    {
        for (var e = 0; e < count; e++)
        {
            if (!TryReadInt(payload, ref position, out var length) || length < 0 || position + length > payload.Length)
            {
                return false;
            }

            position += length;
        }

        return true;
    }

    /// <summary>Appends a decoded output's elements to a builder (numeric or strings).</summary>
    public static void AppendTo(CachedOutput output, PooledTensorBuilder builder)
    {
        var data = output.Entry.AsSpan(output.Offset, output.Length);
        var position = 0;
        TryReadInt(data, ref position, out var count);
        if (output.Kind == Numeric)
        {
            builder.AppendBytes(data.Slice(position, count));
            return;
        }

        for (var i = 0; i < count; i++)
        {
            builder.AppendString(ReadString(data, ref position));
        }
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int position)
    {
        TryReadInt(data, ref position, out var length);
        var value = Encoding.UTF8.GetString(data.Slice(position, length));
        position += length;
        return value;
    }

    private static bool TryReadInt(ReadOnlySpan<byte> data, ref int position, out int value)
    {
        if (position + 4 > data.Length)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(position));
        position += 4;
        return true;
    }

    private static void WriteInt(ArrayBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    private static void WriteLong(ArrayBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt(writer, length);
        Encoding.UTF8.GetBytes(value, writer.GetSpan(length));
        writer.Advance(length);
    }
}

/// <summary>One output inside a cached entry: its dims and where its data starts.</summary>
internal readonly record struct CachedOutput(byte Kind, TensorDataType DataType, long[] Dims, byte[] Entry, int Offset, int Length);
