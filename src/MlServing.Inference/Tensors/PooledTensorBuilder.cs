using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlServing.Inference.Tensors;

/// <summary>Appends elements of one data type into a growing rented buffer, then hands it to a <see cref="PooledTensor"/>.</summary>
public sealed class PooledTensorBuilder : IDisposable
{
    private readonly int _elementSize;
    private byte[]? _bytes;
    private string[]? _strings;
    private int _byteLength;

    public PooledTensorBuilder(TensorDataType dataType, int capacityHint = 64)
    {
        DataType = dataType;
        _elementSize = dataType.ElementSize();
        capacityHint = Math.Max(capacityHint, 4);
        if (dataType == TensorDataType.Bytes)
        {
            _strings = ArrayPool<string>.Shared.Rent(capacityHint);
        }
        else
        {
            _bytes = ArrayPool<byte>.Shared.Rent(capacityHint * _elementSize);
        }
    }

    public TensorDataType DataType { get; }

    public int Count { get; private set; }

    /// <summary>Element index that error messages count from (the start of the current row).</summary>
    public int Origin { get; set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append<T>(T value)
        where T : unmanaged
    {
        var bytes = _bytes!;
        if (_byteLength + Unsafe.SizeOf<T>() > bytes.Length)
        {
            bytes = Grow();
        }

        Unsafe.WriteUnaligned(ref bytes[_byteLength], value);
        _byteLength += Unsafe.SizeOf<T>();
        Count++;
    }

    /// <summary>Appends whole elements given as their little-endian bytes.</summary>
    public void AppendBytes(ReadOnlySpan<byte> elements)
    {
        while (_byteLength + elements.Length > _bytes!.Length)
        {
            Grow();
        }

        elements.CopyTo(_bytes.AsSpan(_byteLength));
        _byteLength += elements.Length;
        Count += elements.Length / _elementSize;
    }

    public void AppendString(string value)
    {
        var strings = _strings!;
        if (Count == strings.Length)
        {
            var larger = ArrayPool<string>.Shared.Rent(strings.Length * 2);
            strings.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<string>.Shared.Return(strings, clearArray: true);
            _strings = strings = larger;
        }

        strings[Count++] = value;
    }

    /// <summary>The elements appended so far, as bytes (numeric types only).</summary>
    public ReadOnlySpan<byte> WrittenBytes => _bytes.AsSpan(0, _byteLength);

    public ReadOnlySpan<T> Written<T>()
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(WrittenBytes);

    /// <summary>
    /// Reorders the last <paramref name="positions"/>.Length elements: the j-th of them moves to offset
    /// positions[j] within that tail. Used for rows whose features arrive by name in any order.
    /// </summary>
    public void PermuteTail(ReadOnlySpan<int> positions)
    {
        var size = _elementSize;
        var tail = _bytes.AsSpan(_byteLength - (positions.Length * size), positions.Length * size);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(tail.Length);
        var scratch = rented.AsSpan(0, tail.Length);
        tail.CopyTo(scratch);
        for (var j = 0; j < positions.Length; j++)
        {
            scratch.Slice(j * size, size).CopyTo(tail.Slice(positions[j] * size, size));
        }

        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>Moves the buffer into a tensor; the builder is empty afterwards.</summary>
    public PooledTensor Build(string name, long[] shape, string[]? classes = null)
    {
        PooledTensor tensor;
        if (_strings is not null)
        {
            tensor = PooledTensor.FromRentedStrings(name, shape, _strings, Count);
            _strings = null;
        }
        else
        {
            tensor = new PooledTensor(name, DataType, shape, RentedStorage.OfBytes(_bytes!), 0, Count, classes);
            _bytes = null;
        }

        Count = 0;
        _byteLength = 0;
        return tensor;
    }

    private byte[] Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes!.Length * 2, 16 * _elementSize));
        _bytes.AsSpan(0, _byteLength).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = larger;
        return larger;
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
