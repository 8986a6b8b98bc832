using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Runtime;

/// <summary>Copies ONNX Runtime outputs into pooled tensors so the native values can be released at once.</summary>
internal static class OrtValueConverter
{
    public static PooledTensor ToPooledTensor(string name, OrtValue value)
    {
        switch (value.OnnxType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                var info = value.GetTensorTypeAndShape();
                if (!TensorDataTypes.TryFromOrt(info.ElementDataType, out var type))
                {
                    throw new NotSupportedException($"output '{name}' has element type {info.ElementDataType}, which has no Open Inference Protocol datatype");
                }

                if (type == TensorDataType.Bytes)
                {
                    var count = checked((int)info.ElementCount);
                    var strings = System.Buffers.ArrayPool<string>.Shared.Rent(Math.Max(1, count));
                    for (var i = 0; i < count; i++)
                    {
                        strings[i] = value.GetStringElement(i);
                    }

                    return PooledTensor.FromRentedStrings(name, info.Shape, strings, count);
                }

                return PooledTensor.Copy(name, type.Value, info.Shape, value.GetTensorDataAsSpan<byte>());

            case OnnxValueType.ONNX_TYPE_SEQUENCE:
                return PooledTensor.FromMaps(name, ReadMapSequence(name, value));

            default:
                throw new NotSupportedException($"output '{name}' has ONNX type {value.OnnxType}, which MlServing cannot serialise");
        }
    }

    private static MapSequence ReadMapSequence(string name, OrtValue sequence)
    {
        var allocator = OrtAllocator.DefaultInstance;
        var count = sequence.GetValueCount();
        var rows = new KeyValuePair<string, double>[count][];
        for (var i = 0; i < count; i++)
        {
            using var map = sequence.GetValue(i, allocator);
            if (map.OnnxType != OnnxValueType.ONNX_TYPE_MAP)
            {
                throw new NotSupportedException($"output '{name}' is a sequence of {map.OnnxType}; only sequences of maps are supported");
            }

            using var keys = map.GetValue(0, allocator);
            using var values = map.GetValue(1, allocator);
            var entries = checked((int)keys.GetTensorTypeAndShape().ElementCount);
            var row = new KeyValuePair<string, double>[entries];
            var keyType = keys.GetTensorTypeAndShape().ElementDataType;
            for (var k = 0; k < entries; k++)
            {
                var key = keyType == TensorElementType.String
                    ? keys.GetStringElement(k)
                    : keys.GetTensorDataAsSpan<long>()[k].ToString(System.Globalization.CultureInfo.InvariantCulture);
                row[k] = new(key, ReadNumber(values, k));
            }

            rows[i] = row;
        }

        return new MapSequence(rows);
    }

    private static double ReadNumber(OrtValue values, int index) => values.GetTensorTypeAndShape().ElementDataType switch
    {
        TensorElementType.Float => values.GetTensorDataAsSpan<float>()[index],
        TensorElementType.Double => values.GetTensorDataAsSpan<double>()[index],
        TensorElementType.Int64 => values.GetTensorDataAsSpan<long>()[index],
        TensorElementType.Int32 => values.GetTensorDataAsSpan<int>()[index],
        var other => throw new NotSupportedException($"map values of type {other} are not supported"),
    };
}
