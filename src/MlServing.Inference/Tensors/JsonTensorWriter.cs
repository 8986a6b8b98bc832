using System.Text.Json;

namespace MlServing.Inference.Tensors;

/// <summary>Writes tensor elements with <see cref="Utf8JsonWriter"/>; non-finite floats become "NaN"/"Infinity" strings.</summary>
public static class JsonTensorWriter
{
    /// <summary>Writes elements [start, start+count) as one flat JSON array.</summary>
    public static void WriteFlat(Utf8JsonWriter writer, PooledTensor tensor, int start, int count)
    {
        writer.WriteStartArray();
        for (var i = start; i < start + count; i++)
        {
            WriteElement(writer, tensor, i);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes the elements starting at <paramref name="start"/> nested as <paramref name="dims"/> describes; no dims = one scalar.</summary>
    public static void WriteNested(Utf8JsonWriter writer, PooledTensor tensor, ReadOnlySpan<long> dims, int start)
    {
        if (dims.IsEmpty)
        {
            WriteElement(writer, tensor, start);
            return;
        }

        var inner = 1;
        for (var i = 1; i < dims.Length; i++)
        {
            inner *= (int)dims[i];
        }

        writer.WriteStartArray();
        for (var i = 0; i < dims[0]; i++)
        {
            if (dims.Length == 1)
            {
                WriteElement(writer, tensor, start + i);
            }
            else
            {
                WriteNested(writer, tensor, dims[1..], start + (i * inner));
            }
        }

        writer.WriteEndArray();
    }

    public static void WriteElement(Utf8JsonWriter writer, PooledTensor tensor, int index)
    {
        switch (tensor.DataType)
        {
            case TensorDataType.Bool: writer.WriteBooleanValue(tensor.AsSpan<byte>()[index] != 0); break;
            case TensorDataType.UInt8: writer.WriteNumberValue(tensor.AsSpan<byte>()[index]); break;
            case TensorDataType.UInt16: writer.WriteNumberValue(tensor.AsSpan<ushort>()[index]); break;
            case TensorDataType.UInt32: writer.WriteNumberValue(tensor.AsSpan<uint>()[index]); break;
            case TensorDataType.UInt64: writer.WriteNumberValue(tensor.AsSpan<ulong>()[index]); break;
            case TensorDataType.Int8: writer.WriteNumberValue(tensor.AsSpan<sbyte>()[index]); break;
            case TensorDataType.Int16: writer.WriteNumberValue(tensor.AsSpan<short>()[index]); break;
            case TensorDataType.Int32: writer.WriteNumberValue(tensor.AsSpan<int>()[index]); break;
            case TensorDataType.Int64: writer.WriteNumberValue(tensor.AsSpan<long>()[index]); break;
            case TensorDataType.Float16: WriteSingle(writer, (float)tensor.AsSpan<Half>()[index]); break;
            case TensorDataType.Float32: WriteSingle(writer, tensor.AsSpan<float>()[index]); break;
            case TensorDataType.Float64: WriteDouble(writer, tensor.AsSpan<double>()[index]); break;
            default: writer.WriteStringValue(tensor.Strings[index]); break;
        }
    }

    public static void WriteSingle(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    private static void WriteNonFinite(Utf8JsonWriter writer, double value) =>
        writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
}
