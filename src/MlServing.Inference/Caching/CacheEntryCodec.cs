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
    private const byte FormatVersion = 1;
    private const byte Numeric = 0;
    private const byte Strings = 1;
    private const byte Maps = 2;

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
            var kind = output.Maps is not null ? Maps : output.IsStrings ? Strings : Numeric;
            writer.Write([kind, (byte)output.DataType, (byte)dims.Length]);
            foreach (var dim in dims)
            {
                WriteLong(writer, dim);
            }

            if (output.Maps is { } maps)
            {
                var first = whole ? 0 : row;
                var count = whole ? maps.Count : 1;
                WriteInt(writer, count);
                for (var r = first; r < first + count; r++)
                {
                    WriteInt(writer, maps.Rows[r].Length);
                    foreach (var (key, value) in maps.Rows[r])
                    {
                        WriteString(writer, key);
                        WriteLong(writer, BitConverter.DoubleToInt64Bits(value));
                    }
                }
            }
            else if (output.IsStrings)
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
            if (type != spec.DataType || kind != (spec.IsTensor ? (type == TensorDataType.Bytes ? Strings : Numeric) : Maps) || position + (rank * 8) > payload.Length)
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
            else if (!SkipVariable(payload, ref position, kind, length))
            {
                return false;
            }

            outputs[i] = new CachedOutput(kind, type, dims, entry, start, position - start);
        }

        return position == payload.Length;
    }

    private static bool SkipVariable(ReadOnlySpan<byte> payload, ref int position, byte kind, int count)
    {
        for (var r = 0; r < count; r++)
        {
            var entries = 1;
            if (kind == Maps && !TryReadInt(payload, ref position, out entries))
            {
                return false;
            }

            for (var e = 0; e < entries; e++)
            {
                if (!TryReadInt(payload, ref position, out var length) || length < 0 || position + length > payload.Length)
                {
                    return false;
                }

                position += length;
                if (kind == Maps)
                {
                    if (position + 8 > payload.Length)
                    {
                        return false;
                    }

                    position += 8;
                }
            }
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

    /// <summary>The maps of a decoded sequence-of-map output.</summary>
    public static IEnumerable<KeyValuePair<string, double>[]> ReadMaps(CachedOutput output)
    {
        var data = output.Entry.AsMemory(output.Offset, output.Length);
        var position = 0;
        TryReadInt(data.Span, ref position, out var rows);
        var result = new KeyValuePair<string, double>[rows][];
        for (var r = 0; r < rows; r++)
        {
            TryReadInt(data.Span, ref position, out var entries);
            var map = new KeyValuePair<string, double>[entries];
            for (var e = 0; e < entries; e++)
            {
                var key = ReadString(data.Span, ref position);
                var value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(data.Span.Slice(position)));
                position += 8;
                map[e] = new(key, value);
            }

            result[r] = map;
        }

        return result;
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
