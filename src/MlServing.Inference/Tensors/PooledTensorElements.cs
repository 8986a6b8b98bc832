namespace MlServing.Inference.Tensors;

/// <summary>One element of a tensor read as a number, whatever its datatype.</summary>
public static class PooledTensorElements
{
    /// <summary>The element as a double (integers as their value, FP16 widened); NaN for a BYTES tensor.</summary>
    public static double ReadDouble(this PooledTensor tensor, int index) => tensor.DataType switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 => tensor.AsSpan<byte>()[index],
        TensorDataType.UInt16 => tensor.AsSpan<ushort>()[index],
        TensorDataType.UInt32 => tensor.AsSpan<uint>()[index],
        TensorDataType.UInt64 => tensor.AsSpan<ulong>()[index],
        TensorDataType.Int8 => tensor.AsSpan<sbyte>()[index],
        TensorDataType.Int16 => tensor.AsSpan<short>()[index],
        TensorDataType.Int32 => tensor.AsSpan<int>()[index],
        TensorDataType.Int64 => tensor.AsSpan<long>()[index],
        TensorDataType.Float16 => (double)tensor.AsSpan<Half>()[index],
        TensorDataType.Float32 => tensor.AsSpan<float>()[index],
        TensorDataType.Float64 => tensor.AsSpan<double>()[index],
        _ => double.NaN,
    };

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
