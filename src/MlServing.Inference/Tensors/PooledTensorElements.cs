namespace MlServing.Inference.Tensors;

public static class PooledTensorElements
{
    /// <summary>
    /// Element <paramref name="index"/> of an integer tensor (a class index) as a long; -1 for a UINT64 value past
    /// <see cref="long.MaxValue"/> or a tensor that does not hold integers.
    /// </summary>
    public static long ReadInteger(this PooledTensor tensor, int index) => tensor.DataType switch
    {
        TensorDataType.Int64 => tensor.AsSpan<long>()[index],
        TensorDataType.Int32 => tensor.AsSpan<int>()[index],
        TensorDataType.Int16 => tensor.AsSpan<short>()[index],
        TensorDataType.Int8 => tensor.AsSpan<sbyte>()[index],
        TensorDataType.UInt8 => tensor.AsSpan<byte>()[index],
        TensorDataType.UInt16 => tensor.AsSpan<ushort>()[index],
        TensorDataType.UInt32 => tensor.AsSpan<uint>()[index],
        TensorDataType.UInt64 => tensor.AsSpan<ulong>()[index] is var value && value <= long.MaxValue ? (long)value : -1,
        _ => -1,
    };
}
