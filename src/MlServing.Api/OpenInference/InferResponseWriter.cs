using System.Text.Json;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>Writes the OIP infer response (flat <c>data</c>); a map output carries its keys in <c>parameters.classes</c>.</summary>
internal static class InferResponseWriter
{
    public static void Write(Utf8JsonWriter writer, ModelVersion model, PooledTensor[] outputs, string? id)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, model.Name);
        writer.WriteString("model_version"u8, model.VersionText);
        if (id is not null)
        {
            writer.WriteString("id"u8, id);
        }

        writer.WriteStartArray("outputs"u8);
        foreach (var output in outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, output.Name);
            writer.WriteString("datatype"u8, output.DataType.ToProtocolName());
            writer.WriteStartArray("shape"u8);
            foreach (var dim in output.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            if (output.Classes is { } classes)
            {
                writer.WriteStartObject("parameters"u8);
                writer.WriteStartArray("classes"u8);
                foreach (var name in classes)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WritePropertyName("data"u8);
            JsonTensorWriter.WriteFlat(writer, output, 0, output.ElementCount);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
