using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using MlServing.Api.Requests;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Predict;

/// <summary>
/// Writes <c>{"model", "version", "predictions": [...]}</c> straight to the response body. predictions[i] holds
/// row i of every output; with <c>labels</c> configured, class indices become names and probability vectors
/// become <c>{label: p}</c> maps.
/// </summary>
internal sealed class PredictResponseResult : JsonResponseResult, IEndpointMetadataProvider
{
    private readonly ModelVersion _model;
    private readonly InferenceResult _result;
    private readonly int _rows;

    public PredictResponseResult(ModelVersion model, InferenceResult result, int rows)
    {
        _model = model;
        _result = result;
        _rows = rows;
    }

    protected override void Write(Utf8JsonWriter writer)
    {
        var outputs = _result.Outputs;
        writer.WriteStartObject();
        writer.WriteString("model"u8, _model.Name);
        writer.WriteString("version"u8, _model.VersionText);
        writer.WriteStartArray("predictions"u8);
        if (SplitsByRow(outputs, _rows))
        {
            for (var row = 0; row < _rows; row++)
            {
                writer.WriteStartObject();
                foreach (var output in outputs)
                {
                    writer.WritePropertyName(output.Name);
                    WriteRow(writer, output, row, _model.Labels);
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
                if (output.Maps is { } maps)
                {
                    writer.WriteStartArray();
                    foreach (var map in maps.Rows)
                    {
                        JsonTensorWriter.WriteMap(writer, map);
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
        if (output.Maps is { } maps)
        {
            JsonTensorWriter.WriteMap(writer, maps.Rows[row]);
            return;
        }

        var shape = output.Shape;
        if (shape.Length == 1)
        {
            if (labels is not null && output.DataType.IsInteger() && TryReadIndex(output, row, out var index) && index >= 0 && index < labels.Length)
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

        if (labels is not null && shape.Length == 2 && inner == labels.Length && output.DataType.IsFloatingPoint())
        {
            writer.WriteStartObject();
            for (var i = 0; i < inner; i++)
            {
                writer.WritePropertyName(labels[i]);
                JsonTensorWriter.WriteElement(writer, output, (row * inner) + i);
            }

            writer.WriteEndObject();
            return;
        }

        JsonTensorWriter.WriteNested(writer, output, shape.AsSpan(1), row * inner);
    }

    private static bool TryReadIndex(PooledTensor tensor, int index, out long value)
    {
        value = tensor.DataType switch
        {
            TensorDataType.Int64 => tensor.AsSpan<long>()[index],
            TensorDataType.Int32 => tensor.AsSpan<int>()[index],
            TensorDataType.Int16 => tensor.AsSpan<short>()[index],
            TensorDataType.Int8 => tensor.AsSpan<sbyte>()[index],
            TensorDataType.UInt8 => tensor.AsSpan<byte>()[index],
            TensorDataType.UInt16 => tensor.AsSpan<ushort>()[index],
            TensorDataType.UInt32 => tensor.AsSpan<uint>()[index],
            _ => -1,
        };
        return value >= 0;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(PredictResponseDocument), ["application/json"]));
}
