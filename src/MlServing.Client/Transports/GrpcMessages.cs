using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;
using MlServing.Client.OpenInference;
using MlServing.Grpc.Inference;

namespace MlServing.Client.Transports;

/// <summary>
/// Infer requests and responses as the messages of <c>inference.GRPCInferenceService</c>: inputs sent as raw contents,
/// outputs read from raw or typed contents, parameters mapped to and from <see cref="InferParameter"/>.
/// </summary>
internal static class GrpcMessages
{
    /// <summary>The output parameter holding a map output's keys, a JSON array in a string parameter.</summary>
    private const string Classes = "classes";

    public static ModelInferRequest ToRequest(string model, string? version, InferRequest request)
    {
        var message = new ModelInferRequest { ModelName = model, ModelVersion = version ?? string.Empty, Id = request.Id ?? string.Empty };
        AddParameters(message.Parameters, request.Parameters);
        foreach (var input in request.Inputs)
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = input.Datatype };
            tensor.Shape.AddRange(input.Shape);
            AddParameters(tensor.Parameters, input.Parameters);
            message.Inputs.Add(tensor);

            var raw = new byte[RawTensorData.SizeOf(input)];
            RawTensorData.Write(input, raw);
            message.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(raw));
        }

        foreach (var output in request.Outputs ?? [])
        {
            var requested = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output.Name };
            AddParameters(requested.Parameters, output.Parameters);
            message.Outputs.Add(requested);
        }

        return message;
    }

    public static InferResponse ToResponse(ModelInferResponse message)
    {
        var raw = message.RawOutputContents.Count > 0;
        if (raw && message.RawOutputContents.Count != message.Outputs.Count)
        {
            throw new MlServingClientException($"the response has {message.RawOutputContents.Count} raw_output_contents for {message.Outputs.Count} outputs");
        }

        var outputs = new InferTensor[message.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = message.Outputs[i];
            var shape = output.Shape.ToArray();
            var parameters = ToJson(output.Parameters);
            outputs[i] = raw
                ? RawTensorData.Read(output.Name, output.Datatype, shape, message.RawOutputContents[i].Span, parameters)
                : new InferTensor(output.Name, output.Datatype, shape, Typed(output.Name, output.Datatype, output.Contents ?? new InferTensorContents()), parameters);
        }

        return new InferResponse
        {
            ModelName = message.ModelName,
            ModelVersion = message.ModelVersion.Length > 0 ? message.ModelVersion : null,
            Id = message.Id.Length > 0 ? message.Id : null,
            Outputs = outputs,
        };
    }

    private static Array Typed(string name, string datatype, InferTensorContents contents) => datatype switch
    {
        "BOOL" => contents.BoolContents.ToArray(),
        "INT8" => Convert(contents.IntContents, static v => checked((sbyte)v)),
        "INT16" => Convert(contents.IntContents, static v => checked((short)v)),
        "INT32" => contents.IntContents.ToArray(),
        "INT64" => contents.Int64Contents.ToArray(),
        "UINT8" => Convert(contents.UintContents, static v => checked((byte)v)),
        "UINT16" => Convert(contents.UintContents, static v => checked((ushort)v)),
        "UINT32" => contents.UintContents.ToArray(),
        "UINT64" => contents.Uint64Contents.ToArray(),
        "FP32" => contents.Fp32Contents.ToArray(),
        "FP64" => contents.Fp64Contents.ToArray(),
        "BYTES" => Convert(contents.BytesContents, static v => v.ToStringUtf8()),
        _ => throw new MlServingClientException($"output '{name}': {datatype} has no typed contents field; the server should have answered it raw"),
    };

    private static T[] Convert<TSource, T>(RepeatedField<TSource> source, Func<TSource, T> convert)
    {
        var values = new T[source.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = convert(source[i]);
        }

        return values;
    }

    private static void AddParameters(MapField<string, InferParameter> into, Dictionary<string, JsonElement>? parameters)
    {
        foreach (var (key, value) in parameters ?? [])
        {
            into[key] = value.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.False => new InferParameter { BoolParam = value.GetBoolean() },
                JsonValueKind.Number when value.TryGetInt64(out var integer) => new InferParameter { Int64Param = integer },
                JsonValueKind.Number when value.TryGetUInt64(out var large) => new InferParameter { Uint64Param = large },
                JsonValueKind.Number => new InferParameter { DoubleParam = value.GetDouble() },
                JsonValueKind.String => new InferParameter { StringParam = value.GetString() },
                _ => new InferParameter { StringParam = value.GetRawText() },
            };
        }
    }

    private static Dictionary<string, JsonElement>? ToJson(MapField<string, InferParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        var json = new Dictionary<string, JsonElement>(parameters.Count, StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            json[key] = value.ParameterChoiceCase switch
            {
                InferParameter.ParameterChoiceOneofCase.StringParam when key == Classes => Parse(value.StringParam),
                InferParameter.ParameterChoiceOneofCase.StringParam => Element(w => w.WriteStringValue(value.StringParam)),
                InferParameter.ParameterChoiceOneofCase.BoolParam => Element(w => w.WriteBooleanValue(value.BoolParam)),
                InferParameter.ParameterChoiceOneofCase.Int64Param => Element(w => w.WriteNumberValue(value.Int64Param)),
                InferParameter.ParameterChoiceOneofCase.Uint64Param => Element(w => w.WriteNumberValue(value.Uint64Param)),
                InferParameter.ParameterChoiceOneofCase.DoubleParam when double.IsFinite(value.DoubleParam) => Element(w => w.WriteNumberValue(value.DoubleParam)),
                InferParameter.ParameterChoiceOneofCase.DoubleParam => Element(w => w.WriteStringValue(value.DoubleParam.ToString(CultureInfo.InvariantCulture))),
                _ => Element(static w => w.WriteNullValue()),
            };
        }

        return json;
    }

    private static JsonElement Parse(string json)
    {
        try
        {
            return JsonElement.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new MlServingClientException($"the response parameter '{Classes}' is not JSON: {ex.Message}", ex);
        }
    }

    private static JsonElement Element(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return JsonElement.Parse(buffer.WrittenSpan);
    }
}
