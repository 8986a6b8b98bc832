using System.Buffers;

namespace MlServing.Inference.Tensors;

/// <summary>
/// Elements in managed memory that someone else owns and never changes while a tensor reads it (an immutable protobuf
/// <c>ByteString</c>): no copy, and nothing to return; the garbage collector keeps it alive.
/// </summary>
internal sealed class MemoryStorage : TensorStorage
{
    private readonly ReadOnlyMemory<byte> _memory;

    public MemoryStorage(ReadOnlyMemory<byte> memory) => _memory = memory;

    public override ReadOnlySpan<byte> GetBytes(int offset, int length) => _memory.Span.Slice(offset, length);

    public override ReadOnlySpan<string> GetStrings(int offset, int count) => throw new NotSupportedException("numeric storage");

    public override MemoryHandle Pin(int offset) => _memory[offset..].Pin();

    protected override void Free()
    {
    }
}
