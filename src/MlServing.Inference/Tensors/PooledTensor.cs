using System.Buffers;
using System.Runtime.InteropServices;

namespace MlServing.Inference.Tensors;

/// <summary>
/// A named tensor over pooled or native memory (<see cref="TensorStorage"/>). Numeric and BOOL elements are
/// little-endian bytes, BYTES elements strings. A tensor may be a view of rows of a larger one (a request's share
/// of a batch output): views share the storage, which is released when the last of them is disposed.
/// </summary>
public sealed class PooledTensor : IDisposable
{
    private TensorStorage? _storage;
    private readonly int _offset;

    public PooledTensor(string name, TensorDataType dataType, long[] shape, TensorStorage storage, int offset, int elementCount, string[]? classes = null)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        _storage = storage;
        _offset = offset;
        ElementCount = elementCount;
        ByteLength = elementCount * dataType.ElementSize();
        Classes = classes;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public long[] Shape { get; }

    public int ElementCount { get; }

    public int ByteLength { get; }

    /// <summary>
    /// For a model output that ONNX Runtime gave as a sequence of maps (scikit-learn's ZipMap): the map keys, one per
    /// column of this <c>[rows, classes]</c> tensor, in ascending key order.
    /// </summary>
    public string[]? Classes { get; }

    public bool IsStrings => DataType == TensorDataType.Bytes;

    public ReadOnlySpan<byte> Bytes => IsStrings ? default : Storage.GetBytes(_offset, ByteLength);

    public ReadOnlySpan<string> Strings => IsStrings ? Storage.GetStrings(_offset, ElementCount) : default;

    private TensorStorage Storage => _storage ?? throw new ObjectDisposedException(Name);

    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes);

    /// <summary>Pins the elements for a native call (numeric and BOOL tensors).</summary>
    public MemoryHandle Pin() => Storage.Pin(_offset);

    /// <summary>Takes ownership of a rented byte buffer.</summary>
    public static PooledTensor FromRentedBytes(string name, TensorDataType dataType, long[] shape, byte[] rented, int byteLength) =>
        new(name, dataType, shape, RentedStorage.OfBytes(rented), 0, byteLength / Math.Max(1, dataType.ElementSize()));

    /// <summary>Takes ownership of a rented string buffer.</summary>
    public static PooledTensor FromRentedStrings(string name, long[] shape, string[] rented, int count) =>
        new(name, TensorDataType.Bytes, shape, RentedStorage.OfStrings(rented), 0, count);

    /// <summary>Copies <paramref name="source"/> into a rented buffer.</summary>
    public static PooledTensor Copy(string name, TensorDataType dataType, long[] shape, ReadOnlySpan<byte> source)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, source.Length));
        source.CopyTo(rented);
        return FromRentedBytes(name, dataType, shape, rented, source.Length);
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, start+<paramref name="count"/>) along dim 0, sharing this tensor's memory (no
    /// copy). The view owns a reference of its own: dispose both.
    /// </summary>
    public PooledTensor SliceRows(int start, int count)
    {
        var rows = Shape[0];
        var perRow = rows == 0 ? 0 : (int)(ElementCount / rows);
        var shape = (long[])Shape.Clone();
        shape[0] = count;
        var storage = Storage;
        storage.AddReference();
        var elementSize = IsStrings ? 1 : DataType.ElementSize();
        return new PooledTensor(Name, DataType, shape, storage, _offset + (start * perRow * elementSize), count * perRow, Classes);
    }

    /// <summary>A second reference to the same elements (no copy), for a reader that outlives the owner's use.</summary>
    public PooledTensor Share()
    {
        var storage = Storage;
        storage.AddReference();
        return new PooledTensor(Name, DataType, Shape, storage, _offset, ElementCount, Classes);
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

    public void Dispose() => Interlocked.Exchange(ref _storage, null)?.Release();
}
