using System.Buffers;

namespace MlServing.Inference.Tensors;

/// <summary>
/// The memory behind one or more <see cref="PooledTensor"/>s, shared by reference count: a batch output and the
/// per-request row views over it release the memory once, when the last of them is disposed.
/// </summary>
public abstract class TensorStorage
{
    private int _references = 1;

    public abstract ReadOnlySpan<byte> GetBytes(int offset, int length);

    public abstract ReadOnlySpan<string> GetStrings(int offset, int count);

    /// <summary>Pins the bytes from <paramref name="offset"/> for a native call.</summary>
    public abstract MemoryHandle Pin(int offset);

    internal void AddReference() => Interlocked.Increment(ref _references);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Free();
        }
    }

    protected abstract void Free();
}
