using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlServing.Client.OpenInference;

/// <summary>
/// Writes and reads <see cref="InferTensor"/> as OIP JSON: <c>{"name", "datatype", "shape", "data", "parameters"}</c>
/// with flat data (nested data is accepted when reading). Non-finite floats travel as "NaN", "Infinity", "-Infinity".
/// </summary>
internal sealed class InferTensorJsonConverter : JsonConverter<InferTensor>
{
    public override void Write(Utf8JsonWriter writer, InferTensor value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        WriteDescription(writer, value);
        writer.WritePropertyName("data"u8);
        WriteData(writer, value.Data);
        if (value.Parameters is { Count: > 0 } parameters)
        {
            writer.WritePropertyName("parameters"u8);
            JsonSerializer.Serialize(writer, parameters, ClientJsonContext.Default.DictionaryStringJsonElement);
        }

        writer.WriteEndObject();
    }

    /// <summary>The tensor's <c>name</c>, <c>datatype</c> and <c>shape</c> members (what a binary input's header says of it too).</summary>
    internal static void WriteDescription(Utf8JsonWriter writer, InferTensor value)
    {
        writer.WriteString("name"u8, value.Name);
        writer.WriteString("datatype"u8, value.Datatype);
        writer.WriteStartArray("shape"u8);
        foreach (var dim in value.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
    }

    private static void WriteData(Utf8JsonWriter writer, Array data)
    {
        writer.WriteStartArray();
        switch (data)
        {
            case float[] values:
                foreach (var v in values)
                {
                    WriteFloat(writer, v);
                }

                break;
            case double[] values:
                foreach (var v in values)
                {
                    WriteFloat(writer, v);
                }

                break;
            case Half[] values:
                foreach (var v in values)
                {
                    WriteFloat(writer, (float)v);
                }

                break;
            case bool[] values:
                foreach (var v in values)
                {
                    writer.WriteBooleanValue(v);
                }

                break;
            case string[] values:
                foreach (var v in values)
                {
                    writer.WriteStringValue(v);
                }

                break;
            case long[] values:
                foreach (var v in values)
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case ulong[] values:
                foreach (var v in values)
                {
                    writer.WriteNumberValue(v);
                }

                break;
            default:
                // The narrower integer types: every element fits a long.
                foreach (var v in data)
                {
                    writer.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture));
                }

                break;
        }

        writer.WriteEndArray();
    }

    private static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    public override InferTensor Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a tensor must be a JSON object");
        }

        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        JsonElement data = default;
        Dictionary<string, JsonElement>? parameters = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            switch (property)
            {
                case "name":
                    name = reader.GetString();
                    break;
                case "datatype":
                    datatype = reader.GetString();
                    break;
                case "shape":
                    shape = JsonSerializer.Deserialize(ref reader, ClientJsonContext.Default.Int64Array);
                    break;
                case "data":
                    data = JsonElement.ParseValue(ref reader);
                    break;
                case "parameters":
                    parameters = JsonSerializer.Deserialize(ref reader, ClientJsonContext.Default.DictionaryStringJsonElement);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (name is null || datatype is null || shape is null || data.ValueKind == JsonValueKind.Undefined)
        {
            throw new JsonException("a tensor needs name, datatype, shape and data");
        }

        return new InferTensor(name, datatype, shape, ReadData(data, InferDatatypes.ElementType(datatype)), parameters);
    }

    private static Array ReadData(JsonElement data, Type elementType)
    {
        var flat = new List<JsonElement>();
        Flatten(data, flat);
        var array = Array.CreateInstance(elementType, flat.Count);
        for (var i = 0; i < flat.Count; i++)
        {
            array.SetValue(ReadElement(flat[i], elementType), i);
        }

        return array;
    }

    private static void Flatten(JsonElement element, List<JsonElement> into)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            into.Add(element);
            return;
        }

        foreach (var item in element.EnumerateArray())
        {
            Flatten(item, into);
        }
    }

    private static object ReadElement(JsonElement element, Type type)
    {
        if (type == typeof(string))
        {
            return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        }

        if (type == typeof(bool))
        {
            return element.GetBoolean();
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            var text = element.GetString();
            var special = text switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw new JsonException($"'{text}' is not a number"),
            };
            return type == typeof(float) ? (float)special : type == typeof(Half) ? (Half)special : special;
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Single => element.GetSingle(),
            TypeCode.Double => element.GetDouble(),
            TypeCode.Int64 => element.GetInt64(),
            TypeCode.Int32 => element.GetInt32(),
            TypeCode.Int16 => element.GetInt16(),
            TypeCode.SByte => element.GetSByte(),
            TypeCode.UInt64 => element.GetUInt64(),
            TypeCode.UInt32 => element.GetUInt32(),
            TypeCode.UInt16 => element.GetUInt16(),
            TypeCode.Byte => element.GetByte(),
            _ => (Half)element.GetSingle(),
        };
    }
}
