using System.Buffers;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Runtime;

/// <summary>
/// Turns ONNX Runtime outputs into <see cref="PooledTensor"/>s. Numeric tensors are moved (the tensor owns the
/// <see cref="OrtValue"/> and reads its native buffer); strings are copied out; a sequence of maps becomes a
/// <c>[rows, classes]</c> tensor of the map's value type, columns in ascending key order.
/// </summary>
internal static class OrtValueConverter
{
    /// <summary>Takes ownership of <paramref name="value"/>: it is either kept by the tensor or disposed here.</summary>
    public static PooledTensor ToTensor(TensorSpec spec, OrtValue value)
    {
        var keep = false;
        try
        {
            switch (value.OnnxType)
            {
                case OnnxValueType.ONNX_TYPE_TENSOR:
                    var info = value.GetTensorTypeAndShape();
                    if (!TensorDataTypes.TryFromOrt(info.ElementDataType, out var type))
                    {
                        throw new NotSupportedException($"output '{spec.Name}' has element type {info.ElementDataType}, which has no Open Inference Protocol datatype");
                    }

                    var count = checked((int)info.ElementCount);
                    if (type == TensorDataType.Bytes)
                    {
                        var strings = ArrayPool<string>.Shared.Rent(Math.Max(1, count));
                        for (var i = 0; i < count; i++)
                        {
                            strings[i] = value.GetStringElement(i);
                        }

                        return PooledTensor.FromRentedStrings(spec.Name, info.Shape, strings, count);
                    }

                    keep = true;
                    return new PooledTensor(spec.Name, type.Value, info.Shape, new OrtValueStorage(value), 0, count);

                case OnnxValueType.ONNX_TYPE_SEQUENCE:
                    return ReadMapSequence(spec, value);

                default:
                    throw new NotSupportedException($"output '{spec.Name}' has ONNX type {value.OnnxType}, which MlServing cannot serialise");
            }
        }
        finally
        {
            if (!keep)
            {
                value.Dispose();
            }
        }
    }

    private static PooledTensor ReadMapSequence(TensorSpec spec, OrtValue sequence)
    {
        var allocator = OrtAllocator.DefaultInstance;
        var rows = sequence.GetValueCount();
        string[]? classes = spec.Classes;
        var elementSize = spec.DataType.ElementSize();
        byte[]? buffer = null;
        try
        {
            for (var r = 0; r < rows; r++)
            {
                using var map = sequence.GetValue(r, allocator);
                if (map.OnnxType != OnnxValueType.ONNX_TYPE_MAP)
                {
                    throw new NotSupportedException($"output '{spec.Name}' is a sequence of {map.OnnxType}; only sequences of maps are supported");
                }

                using var keys = map.GetValue(0, allocator);
                using var values = map.GetValue(1, allocator);
                var rowKeys = ReadKeys(keys);
                classes ??= spec.RecordClasses(Sorted(rowKeys));
                buffer ??= ArrayPool<byte>.Shared.Rent(Math.Max(1, rows * classes.Length * elementSize));
                if (rowKeys.Length != classes.Length)
                {
                    throw new NotSupportedException($"output '{spec.Name}' row {r} has {rowKeys.Length} keys, earlier rows {classes.Length}");
                }

                for (var k = 0; k < rowKeys.Length; k++)
                {
                    var column = Array.IndexOf(classes, rowKeys[k]);
                    if (column < 0)
                    {
                        throw new NotSupportedException($"output '{spec.Name}' row {r} has key '{rowKeys[k]}', which earlier rows did not have");
                    }

                    WriteValue(spec.DataType, values, k, buffer.AsSpan(((r * classes.Length) + column) * elementSize, elementSize));
                }
            }

            classes ??= spec.Classes ?? [];
            buffer ??= ArrayPool<byte>.Shared.Rent(1);
            var tensor = new PooledTensor(spec.Name, spec.DataType, [rows, classes.Length], RentedStorage.OfBytes(buffer), 0, rows * classes.Length, classes);
            buffer = null;
            return tensor;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static string[] ReadKeys(OrtValue keys)
    {
        var info = keys.GetTensorTypeAndShape();
        var count = checked((int)info.ElementCount);
        var result = new string[count];
        if (info.ElementDataType == TensorElementType.String)
        {
            for (var i = 0; i < count; i++)
            {
                result[i] = keys.GetStringElement(i);
            }
        }
        else
        {
            var numbers = keys.GetTensorDataAsSpan<long>();
            for (var i = 0; i < count; i++)
            {
                result[i] = numbers[i].ToString(CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    /// <summary>Ascending key order: numerically for integer keys, ordinally for text keys.</summary>
    private static string[] Sorted(string[] keys)
    {
        var sorted = (string[])keys.Clone();
        if (Array.TrueForAll(sorted, k => long.TryParse(k, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            Array.Sort(sorted, (a, b) => long.Parse(a, CultureInfo.InvariantCulture).CompareTo(long.Parse(b, CultureInfo.InvariantCulture)));
        }
        else
        {
            Array.Sort(sorted, StringComparer.Ordinal);
        }

        return sorted;
    }

    private static void WriteValue(TensorDataType type, OrtValue values, int index, Span<byte> target)
    {
        var source = values.GetTensorTypeAndShape().ElementDataType;
        double value = source switch
        {
            TensorElementType.Float => values.GetTensorDataAsSpan<float>()[index],
            TensorElementType.Double => values.GetTensorDataAsSpan<double>()[index],
            TensorElementType.Int64 => values.GetTensorDataAsSpan<long>()[index],
            TensorElementType.Int32 => values.GetTensorDataAsSpan<int>()[index],
            _ => throw new NotSupportedException($"map values of type {source} are not supported"),
        };
        switch (type)
        {
            case TensorDataType.Float32: BitConverter.TryWriteBytes(target, (float)value); break;
            case TensorDataType.Float64: BitConverter.TryWriteBytes(target, value); break;
            case TensorDataType.Int64: BitConverter.TryWriteBytes(target, (long)value); break;
            case TensorDataType.Int32: BitConverter.TryWriteBytes(target, (int)value); break;
            default: throw new NotSupportedException($"map values of type {type} are not supported");
        }
    }
}
