using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Runtime;

/// <summary>An ONNX Runtime output tensor kept as it is: its native buffer is read in place and freed with the last view.</summary>
internal sealed unsafe class OrtValueStorage : TensorStorage
{
    private readonly byte* _data;
    private readonly int _length;
    private OrtValue? _value;

    public OrtValueStorage(OrtValue value)
    {
        _value = value;
        var span = value.GetTensorMutableRawData();
        _data = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
        _length = span.Length;
    }

    public override ReadOnlySpan<byte> GetBytes(int offset, int length)
    {
        ObjectDisposedException.ThrowIf(_value is null, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + length, _length);
        return new ReadOnlySpan<byte>(_data + offset, length);
    }

    public override ReadOnlySpan<string> GetStrings(int offset, int count) => throw new NotSupportedException("numeric storage");

    public override MemoryHandle Pin(int offset) => new(_data + offset);

    protected override void Free() => Interlocked.Exchange(ref _value, null)?.Dispose();
}
