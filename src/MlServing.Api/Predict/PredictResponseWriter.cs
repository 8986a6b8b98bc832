using System.Text.Json;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Predict;

/// <summary>
/// Writes <c>{"model", "version", "predictions": [...]}</c>. predictions[i] holds row i of every output; with
/// <c>labels</c> configured, class indices become names and probability vectors become <c>{label: p}</c> maps; a map
/// output (ZipMap) is written as an object keyed by its classes.
/// </summary>
internal static class PredictResponseWriter
{
    public static void Write(Utf8JsonWriter writer, ModelVersion model, PooledTensor[] outputs, int rows)
    {
        writer.WriteStartObject();
        writer.WriteString("model"u8, model.Name);
        writer.WriteString("version"u8, model.VersionText);
        writer.WriteStartArray("predictions"u8);
        if (SplitsByRow(outputs, rows))
        {
            for (var row = 0; row < rows; row++)
            {
                writer.WriteStartObject();
                foreach (var output in outputs)
                {
                    writer.WritePropertyName(output.Name);
                    WriteRow(writer, output, row, model.Labels);
                }

                writer.WriteEndObject();
            }
        }
        else
        {
            writer.WriteStartObject();
            foreach (var output in outputs)
            {
                writer.WritePropertyName(output.Name);
                if (output.Classes is not null)
                {
                    writer.WriteStartArray();
                    for (var row = 0; row < output.Shape[0]; row++)
                    {
                        WriteRow(writer, output, row, null);
                    }

                    writer.WriteEndArray();
                }
                else
                {
                    JsonTensorWriter.WriteNested(writer, output, output.Shape, 0);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static bool SplitsByRow(PooledTensor[] outputs, int rows)
    {
        if (rows <= 0)
        {
            return false;
        }

        foreach (var output in outputs)
        {
            if (output.Shape.Length == 0 || output.Shape[0] != rows)
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteRow(Utf8JsonWriter writer, PooledTensor output, int row, string[]? labels)
    {
        var shape = output.Shape;
        if (shape.Length == 1)
        {
            if (labels is not null && output.DataType.IsInteger() && TryReadIndex(output, row, out var index) && index < labels.Length)
            {
                writer.WriteStringValue(labels[index]);
            }
            else
            {
                JsonTensorWriter.WriteElement(writer, output, row);
            }

            return;
        }

        var inner = 1;
        for (var i = 1; i < shape.Length; i++)
        {
            inner *= (int)shape[i];
        }

        var keys = output.Classes ?? (labels is not null && shape.Length == 2 && inner == labels.Length && output.DataType.IsFloatingPoint() ? labels : null);
        if (keys is not null)
        {
            writer.WriteStartObject();
            for (var i = 0; i < inner; i++)
            {
                writer.WritePropertyName(keys[i]);
                JsonTensorWriter.WriteElement(writer, output, (row * inner) + i);
            }

            writer.WriteEndObject();
            return;
        }

        JsonTensorWriter.WriteNested(writer, output, shape.AsSpan(1), row * inner);
    }

    private static bool TryReadIndex(PooledTensor tensor, int index, out long value)
    {
        value = tensor.ReadInteger(index);
        return value >= 0;
    }
}
