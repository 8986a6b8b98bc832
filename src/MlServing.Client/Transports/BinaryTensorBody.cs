using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using MlServing.Client.OpenInference;

namespace MlServing.Client.Transports;

/// <summary>
/// The REST binary tensor extension: an infer request written as a JSON header followed by every input's raw data, asking
/// for binary outputs, and a response read back from the same layout (or from plain JSON, when no output is binary).
/// </summary>
internal static class BinaryTensorBody
{
    /// <summary>The length of the JSON part of a binary body.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    public static HttpContent Create(InferRequest request)
    {
        var header = new ArrayBufferWriter<byte>(256);
        var sizes = new int[request.Inputs.Count];
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            if (request.Id is not null)
            {
                writer.WriteString("id"u8, request.Id);
            }

            WriteParameters(writer, request.Parameters, "binary_data_output", static w => w.WriteBooleanValue(true));
            writer.WriteStartArray("inputs"u8);
            for (var i = 0; i < sizes.Length; i++)
            {
                var input = request.Inputs[i];
                var size = sizes[i] = RawTensorData.SizeOf(input);
                writer.WriteStartObject();
                InferTensorJsonConverter.WriteDescription(writer, input);
                WriteParameters(writer, input.Parameters, "binary_data_size", w => w.WriteNumberValue(size));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (request.Outputs is { } outputs)
            {
                writer.WriteStartArray("outputs"u8);
                foreach (var output in outputs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name"u8, output.Name);
                    WriteParameters(writer, output.Parameters, "binary_data", static w => w.WriteBooleanValue(true));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        var total = header.WrittenCount;
        foreach (var size in sizes)
        {
            total += size;
        }

        var body = new byte[total];
        header.WrittenSpan.CopyTo(body);
        var at = header.WrittenCount;
        for (var i = 0; i < sizes.Length; i++)
        {
            RawTensorData.Write(request.Inputs[i], body.AsSpan(at, sizes[i]));
            at += sizes[i];
        }

        var content = new ByteArrayContent(body);
        content.Headers.ContentType = OctetStream;
        content.Headers.TryAddWithoutValidation(HeaderLengthHeader, header.WrittenCount.ToString(CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>A binary response: <paramref name="headerLength"/> bytes of JSON, then the binary outputs' data.</summary>
    public static async Task<InferResponse> ReadAsync(HttpResponseMessage response, int headerLength, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (headerLength > body.Length)
        {
            throw new MlServingClientException($"{HeaderLengthHeader} is {headerLength}, past the end of the {body.Length}-byte response");
        }

        using var document = JsonDocument.Parse(body.AsMemory(0, headerLength));
        var root = document.RootElement;
        var binary = body.AsSpan(headerLength);
        var outputs = new List<InferTensor>();
        if (root.TryGetProperty("outputs"u8, out var items))
        {
            foreach (var item in items.EnumerateArray())
            {
                outputs.Add(ReadOutput(item, ref binary));
            }
        }

        if (!binary.IsEmpty)
        {
            throw new MlServingClientException($"{binary.Length} bytes of the response's binary data belong to no output");
        }

        return new InferResponse
        {
            ModelName = root.TryGetProperty("model_name"u8, out var name) ? name.GetString() ?? string.Empty : string.Empty,
            ModelVersion = root.TryGetProperty("model_version"u8, out var version) ? version.GetString() : null,
            Id = root.TryGetProperty("id"u8, out var id) ? id.GetString() : null,
            Outputs = outputs,
        };
    }

    private static InferTensor ReadOutput(JsonElement item, ref Span<byte> binary)
    {
        var parameters = item.TryGetProperty("parameters"u8, out var p) ? p.Deserialize(ClientJsonContext.Default.DictionaryStringJsonElement) : null;
        if (parameters is null || !parameters.Remove("binary_data_size", out var sizeElement))
        {
            return item.Deserialize(ClientJsonContext.Default.InferTensor)!;
        }

        var name = item.GetProperty("name"u8).GetString()!;
        var size = sizeElement.GetInt32();
        if (size < 0 || size > binary.Length)
        {
            throw new MlServingClientException($"output '{name}': binary_data_size {size} runs past the end of the response");
        }

        var tensor = RawTensorData.Read(
            name, item.GetProperty("datatype"u8).GetString()!, item.GetProperty("shape"u8).Deserialize(ClientJsonContext.Default.Int64Array)!,
            binary[..size], parameters.Count > 0 ? parameters : null);
        binary = binary[size..];
        return tensor;
    }

    /// <summary>Whether the response is binary (it carries <see cref="HeaderLengthHeader"/>), and the length of its JSON part.</summary>
    public static bool TryHeaderLength(HttpResponseMessage response, out int length)
    {
        length = 0;
        return (response.Headers.TryGetValues(HeaderLengthHeader, out var values) || response.Content.Headers.TryGetValues(HeaderLengthHeader, out values))
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out length);
    }

    /// <summary>Writes <c>"parameters"</c>: the caller's, with <paramref name="name"/> set by <paramref name="value"/>.</summary>
    private static void WriteParameters(Utf8JsonWriter writer, Dictionary<string, JsonElement>? parameters, string name, Action<Utf8JsonWriter> value)
    {
        writer.WriteStartObject("parameters"u8);
        if (parameters is not null)
        {
            foreach (var (key, element) in parameters)
            {
                if (key != name)
                {
                    writer.WritePropertyName(key);
                    element.WriteTo(writer);
                }
            }
        }

        writer.WritePropertyName(name);
        value(writer);
        writer.WriteEndObject();
    }
}
