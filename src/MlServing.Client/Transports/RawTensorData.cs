using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MlServing.Client.OpenInference;

namespace MlServing.Client.Transports;

/// <summary>
/// A tensor's elements in the raw layout shared by the REST binary extension and gRPC raw contents: little-endian,
/// row-major, no padding; BOOL one byte; BYTES as a 4-byte little-endian length before each UTF-8 element.
/// </summary>
internal static class RawTensorData
{
    /// <summary>The number of bytes <see cref="Write"/> writes for <paramref name="tensor"/>.</summary>
    public static int SizeOf(InferTensor tensor)
    {
        if (tensor.Data is not string[] strings)
        {
            return tensor.Data.Length * InferDatatypes.ElementSize(tensor.Datatype);
        }

        var size = 0;
        foreach (var text in strings)
        {
            size += sizeof(int) + Encoding.UTF8.GetByteCount(text);
        }

        return size;
    }

    /// <summary>Writes the elements of <paramref name="tensor"/> at the start of <paramref name="destination"/> (<see cref="SizeOf"/> bytes).</summary>
    public static void Write(InferTensor tensor, Span<byte> destination)
    {
        if (tensor.Data is not string[] strings)
        {
            Bytes(tensor.Data, InferDatatypes.ElementSize(tensor.Datatype)).CopyTo(destination);
            return;
        }

        foreach (var text in strings)
        {
            var length = Encoding.UTF8.GetBytes(text, destination[sizeof(int)..]);
            BinaryPrimitives.WriteInt32LittleEndian(destination, length);
            destination = destination[(sizeof(int) + length)..];
        }
    }

    /// <summary>The output tensor whose raw elements are <paramref name="raw"/>; a byte count that does not fit the shape is the server's fault.</summary>
    public static InferTensor Read(string name, string datatype, long[] shape, ReadOnlySpan<byte> raw, Dictionary<string, JsonElement>? parameters)
    {
        var count = 1L;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        var size = InferDatatypes.ElementSize(datatype);
        if (size == 0)
        {
            return new InferTensor(name, datatype, shape, ReadStrings(name, raw, count), parameters);
        }

        if (count * size != raw.Length)
        {
            throw new MlServingClientException($"output '{name}' ({datatype}, shape [{string.Join(',', shape)}]) came with {raw.Length} bytes of raw data, not {count * size}");
        }

        var data = Array.CreateInstance(InferDatatypes.ElementType(datatype), count);
        raw.CopyTo(Bytes(data, size));
        return new InferTensor(name, datatype, shape, data, parameters);
    }

    private static string[] ReadStrings(string name, ReadOnlySpan<byte> raw, long count)
    {
        var strings = new string[count];
        for (var i = 0; i < strings.Length; i++)
        {
            var length = raw.Length < sizeof(int) ? -1 : BinaryPrimitives.ReadInt32LittleEndian(raw);
            if (length < 0 || length > raw.Length - sizeof(int))
            {
                throw new MlServingClientException($"output '{name}': BYTES element {i} runs past the end of the raw data");
            }

            strings[i] = Encoding.UTF8.GetString(raw.Slice(sizeof(int), length));
            raw = raw[(sizeof(int) + length)..];
        }

        return raw.IsEmpty ? strings : throw new MlServingClientException($"output '{name}': {raw.Length} bytes of raw data follow its {count} BYTES elements");
    }

    /// <summary>The memory of an array of numbers or booleans.</summary>
    private static Span<byte> Bytes(Array data, int elementSize) =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(data), data.Length * elementSize);
}
