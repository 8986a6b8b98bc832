using System.Buffers;

namespace MlServing.Inference.Tensors;

/// <summary>Elements in a buffer rented from <see cref="ArrayPool{T}"/>: little-endian bytes, or strings for BYTES.</summary>
internal sealed class RentedStorage : TensorStorage
{
    private byte[]? _bytes;
    private string[]? _strings;

    private RentedStorage(byte[]? bytes, string[]? strings)
    {
        _bytes = bytes;
        _strings = strings;
    }

    public static RentedStorage OfBytes(byte[] rented) => new(rented, null);

    public static RentedStorage OfStrings(string[] rented) => new(null, rented);

    public override ReadOnlySpan<byte> GetBytes(int offset, int length) => _bytes.AsSpan(offset, length);

    public override ReadOnlySpan<string> GetStrings(int offset, int count) => _strings.AsSpan(offset, count);

    public override MemoryHandle Pin(int offset) => _bytes.AsMemory(offset).Pin();

    protected override void Free()
    {
        if (Interlocked.Exchange(ref _bytes, null) is { } bytes)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        if (Interlocked.Exchange(ref _strings, null) is { } strings)
        {
            ArrayPool<string>.Shared.Return(strings, clearArray: true);
        }
    }
}
