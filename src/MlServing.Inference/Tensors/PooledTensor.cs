using System.Buffers;
using System.Runtime.InteropServices;

namespace MlServing.Inference.Tensors;

/// <summary>
/// A named tensor whose elements live in a buffer rented from <see cref="ArrayPool{T}"/>.
/// Numeric and BOOL elements are stored as little-endian bytes, BYTES elements as strings,
/// and ONNX sequence-of-map outputs as <see cref="MapSequence"/>. Dispose returns the buffer.
/// </summary>
public sealed class PooledTensor : IDisposable
{
    private byte[]? _bytes;
    private string[]? _strings;

    private PooledTensor(string name, TensorDataType dataType, long[] shape, byte[]? bytes, int byteLength, string[]? strings, int count, MapSequence? maps)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        _bytes = bytes;
        ByteLength = byteLength;
        _strings = strings;
        ElementCount = count;
        Maps = maps;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public long[] Shape { get; }

    public int ElementCount { get; }

    public int ByteLength { get; }

    /// <summary>Non-null for ONNX sequence-of-map outputs; such a tensor has shape [rows] and no bytes.</summary>
    public MapSequence? Maps { get; }

    public bool IsStrings => _strings is not null;

    public Memory<byte> Memory => _bytes is null ? Memory<byte>.Empty : _bytes.AsMemory(0, ByteLength);

    public ReadOnlySpan<byte> Bytes => _bytes is null ? default : _bytes.AsSpan(0, ByteLength);

    public ReadOnlySpan<string> Strings => _strings is null ? default : _strings.AsSpan(0, ElementCount);

    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes);

    /// <summary>Takes ownership of a rented byte buffer.</summary>
    public static PooledTensor FromRentedBytes(string name, TensorDataType dataType, long[] shape, byte[] rented, int byteLength) =>
        new(name, dataType, shape, rented, byteLength, null, byteLength / Math.Max(1, dataType.ElementSize()), null);

    /// <summary>Takes ownership of a rented string buffer.</summary>
    public static PooledTensor FromRentedStrings(string name, long[] shape, string[] rented, int count) =>
        new(name, TensorDataType.Bytes, shape, null, 0, rented, count, null);

    public static PooledTensor FromMaps(string name, MapSequence maps) =>
        new(name, TensorDataType.Bytes, [maps.Count], null, 0, null, maps.Count, maps);

    /// <summary>Copies <paramref name="source"/> into a rented buffer.</summary>
    public static PooledTensor Copy(string name, TensorDataType dataType, long[] shape, ReadOnlySpan<byte> source)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, source.Length));
        source.CopyTo(rented);
        return FromRentedBytes(name, dataType, shape, rented, source.Length);
    }

    /// <summary>Element count a shape describes, or -1 on a negative dim or overflow past <paramref name="limit"/>.</summary>
    public static long CountElements(ReadOnlySpan<long> shape, long limit = int.MaxValue)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            if (dim != 0 && count > limit / dim)
            {
                return -1;
            }

            count *= dim;
        }

        return count;
    }

    public void Dispose()
    {
        if (_bytes is not null)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = null;
        }

        if (_strings is not null)
        {
            ArrayPool<string>.Shared.Return(_strings, clearArray: true);
            _strings = null;
        }
    }
}
