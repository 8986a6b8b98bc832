namespace MlServing.Inference.Tensors;

/// <summary>
/// A rented byte buffer that several tensors read in place (a request body holding the raw data of several inputs).
/// The owner and every tensor over it hold a reference; the buffer goes back to the pool when the last one is disposed.
/// </summary>
public sealed class SharedRentedBuffer : IDisposable
{
    private readonly RentedStorage _storage;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="rented"/>, a buffer from <see cref="System.Buffers.ArrayPool{T}.Shared"/>.</summary>
    public SharedRentedBuffer(byte[] rented)
    {
        Array = rented;
        _storage = RentedStorage.OfBytes(rented);
    }

    public byte[] Array { get; }

    /// <summary>
    /// A numeric or BOOL tensor over <paramref name="byteLength"/> bytes from <paramref name="offset"/>, without a copy.
    /// The offset should be a multiple of the element size (native code reads the elements in place).
    /// </summary>
    public PooledTensor View(string name, TensorDataType dataType, long[] shape, int offset, int byteLength)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + byteLength, Array.Length);
        _storage.AddReference();
        return new PooledTensor(name, dataType, shape, _storage, offset, byteLength / Math.Max(1, dataType.ElementSize()));
    }

    /// <summary>Drops the owner's reference.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _storage.Release();
        }
    }
}
