using System.Text.Json;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Monitoring.Capture;

/// <summary>
/// Writes one captured request as a JSON object (docs/MONITORING.md): <c>time</c>, <c>requestId</c>, <c>model</c>,
/// <c>version</c>, <c>inputs</c> and <c>outputs</c> (one object per row: features by name where configured, redacted
/// ones null, classes by name), <c>durationMs</c>.
/// </summary>
internal static class CaptureJson
{
    public static void Write(Utf8JsonWriter writer, CaptureRecord record)
    {
        var layout = record.Layout;
        writer.WriteStartObject();
        writer.WriteString("time"u8, record.Time);
        writer.WriteString("requestId"u8, record.RequestId);
        writer.WriteString("model"u8, layout.Model);
        writer.WriteString("version"u8, layout.Version);
        var rows = layout.Signature.IsBatchable ? record.Rows : 1;
        writer.WriteStartArray("inputs"u8);
        for (var row = 0; row < rows; row++)
        {
            WriteInputs(writer, record, row, layout.Signature.IsBatchable);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("outputs"u8);
        for (var row = 0; row < rows; row++)
        {
            WriteOutputs(writer, record, row, layout.Signature.IsBatchable);
        }

        writer.WriteEndArray();
        writer.WriteNumber("durationMs"u8, Math.Round(record.DurationMs, 3));
        writer.WriteEndObject();
    }

    private static void WriteInputs(Utf8JsonWriter writer, CaptureRecord record, int row, bool byRow)
    {
        var layout = record.Layout;
        writer.WriteStartObject();
        if (byRow && layout.Features is { } features && record.Inputs is [{ Shape.Length: 2 } input])
        {
            for (var column = 0; column < features.Length; column++)
            {
                writer.WritePropertyName(features[column]);
                if (layout.RedactedFeatures[column])
                {
                    writer.WriteNullValue();
                }
                else
                {
                    JsonTensorWriter.WriteElement(writer, input, (row * features.Length) + column);
                }
            }
        }
        else
        {
            for (var i = 0; i < record.Inputs.Length; i++)
            {
                writer.WritePropertyName(layout.Signature.InputNames[i]);
                if (layout.RedactedInputs[i])
                {
                    writer.WriteNullValue();
                }
                else
                {
                    WriteValue(writer, record.Inputs[i], row, byRow ? record.Rows : -1);
                }
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteOutputs(Utf8JsonWriter writer, CaptureRecord record, int row, bool byRow)
    {
        writer.WriteStartObject();
        for (var w = 0; w < record.Outputs.Length; w++)
        {
            var output = record.Outputs[w];
            writer.WritePropertyName(output.Name);
            if (byRow && record.Layout.ClassOutputs[record.OutputIndices[w]] is { } classes)
            {
                writer.WriteStringValue(classes.NameOf(classes.ClassOf(output, row)));
            }
            else if (byRow && output.Classes is { } keys)
            {
                writer.WriteStartObject();
                for (var k = 0; k < keys.Length; k++)
                {
                    writer.WritePropertyName(keys[k]);
                    JsonTensorWriter.WriteElement(writer, output, (row * keys.Length) + k);
                }

                writer.WriteEndObject();
            }
            else
            {
                WriteValue(writer, output, row, byRow ? record.Rows : -1);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Row <paramref name="row"/> of a batch-first tensor (a scalar when a row is one element), or the whole tensor nested when <paramref name="rows"/> is -1.</summary>
    private static void WriteValue(Utf8JsonWriter writer, PooledTensor tensor, int row, int rows)
    {
        if (rows < 0)
        {
            JsonTensorWriter.WriteNested(writer, tensor, tensor.Shape, 0);
            return;
        }

        var perRow = tensor.ElementCount / Math.Max(1, rows);
        if (perRow == 1)
        {
            JsonTensorWriter.WriteElement(writer, tensor, row);
        }
        else
        {
            JsonTensorWriter.WriteFlat(writer, tensor, row * perRow, perRow);
        }
    }
}
