using System.Buffers;
using System.Text.Json;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>
/// Writes the OIP infer response (flat <c>data</c>); a map output carries its keys in <c>parameters.classes</c>. With the
/// binary tensor extension, a binary output has <c>parameters.binary_data_size</c> instead of <c>data</c> and its raw
/// bytes follow the JSON (<see cref="WriteBinaryData"/>).
/// </summary>
internal static class InferResponseWriter
{
    /// <summary>Writes the JSON; <paramref name="binary"/> (the request) says which outputs go back binary, null: every output as JSON.</summary>
    public static void Write(Utf8JsonWriter writer, ModelVersion model, PooledTensor[] outputs, string? id, InferRequest? binary = null)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, model.Name);
        writer.WriteString("model_version"u8, model.VersionText);
        if (id is not null)
        {
            writer.WriteString("id"u8, id);
        }

        writer.WriteStartArray("outputs"u8);
        for (var o = 0; o < outputs.Length; o++)
        {
            var output = outputs[o];
            var isBinary = binary?.IsBinaryOutput(o) == true;
            writer.WriteStartObject();
            writer.WriteString("name"u8, output.Name);
            writer.WriteString("datatype"u8, output.DataType.ToProtocolName());
            writer.WriteStartArray("shape"u8);
            foreach (var dim in output.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            if (output.Classes is not null || isBinary)
            {
                writer.WriteStartObject("parameters"u8);
                if (output.Classes is { } classes)
                {
                    writer.WriteStartArray("classes"u8);
                    foreach (var name in classes)
                    {
                        writer.WriteStringValue(name);
                    }

                    writer.WriteEndArray();
                }

                if (isBinary)
                {
                    writer.WriteNumber("binary_data_size"u8, RawTensorCodec.EncodedLength(output));
                }

                writer.WriteEndObject();
            }

            if (!isBinary)
            {
                writer.WritePropertyName("data"u8);
                JsonTensorWriter.WriteFlat(writer, output, 0, output.ElementCount);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The byte length of the binary outputs' raw data.</summary>
    public static long BinaryDataLength(PooledTensor[] outputs, InferRequest binary)
    {
        long length = 0;
        for (var o = 0; o < outputs.Length; o++)
        {
            if (binary.IsBinaryOutput(o))
            {
                length += RawTensorCodec.EncodedLength(outputs[o]);
            }
        }

        return length;
    }

    /// <summary>Writes the raw data of the binary outputs, in order, after the JSON.</summary>
    public static void WriteBinaryData(IBufferWriter<byte> body, PooledTensor[] outputs, InferRequest binary)
    {
        for (var o = 0; o < outputs.Length; o++)
        {
            if (!binary.IsBinaryOutput(o))
            {
                continue;
            }

            var output = outputs[o];
            if (!output.IsStrings)
            {
                body.Write(output.Bytes);
                continue;
            }

            foreach (var value in output.Strings)
            {
                var length = RawTensorCodec.EncodedLength(value);
                RawTensorCodec.Encode(value, body.GetSpan(length)[..length]);
                body.Advance(length);
            }
        }
    }
}
