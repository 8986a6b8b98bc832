namespace MlServing.Inference.Tensors;

/// <summary>One element of a numeric or BOOL tensor read as a number, whatever its datatype.</summary>
public static class TensorElements
{
    /// <summary>The element as a double (integers as their value, FP16 widened); NaN for a BYTES tensor.</summary>
    public static double AsDouble(PooledTensor tensor, int index) => tensor.DataType switch
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

    /// <summary>An integer element (a class index); <paramref name="tensor"/> must have an integer datatype.</summary>
    public static long AsInteger(PooledTensor tensor, int index) => tensor.DataType switch
    {
        TensorDataType.UInt8 => tensor.AsSpan<byte>()[index],
        TensorDataType.UInt16 => tensor.AsSpan<ushort>()[index],
        TensorDataType.UInt32 => tensor.AsSpan<uint>()[index],
        TensorDataType.UInt64 => (long)Math.Min(tensor.AsSpan<ulong>()[index], long.MaxValue),
        TensorDataType.Int8 => tensor.AsSpan<sbyte>()[index],
        TensorDataType.Int16 => tensor.AsSpan<short>()[index],
        TensorDataType.Int32 => tensor.AsSpan<int>()[index],
        _ => tensor.AsSpan<long>()[index],
    };
}
