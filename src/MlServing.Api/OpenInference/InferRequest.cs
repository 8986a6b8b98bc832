using System.Globalization;
using System.Text.Json;
using MlServing.Api.Requests;
using MlServing.Inference.Errors;
using MlServing.Inference.Serving;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>
/// An Open Inference Protocol v2 infer request, parsed in one pass: each input's data is decoded into a tensor of its
/// declared datatype as the reader meets it. The model is not needed to decode; the engine then checks the tensors
/// against the signature. With the binary tensor extension the JSON is the first <c>Inference-Header-Content-Length</c>
/// bytes of the body and raw tensor data follows it.
/// </summary>
public sealed class InferRequest : IDisposable
{
    private readonly List<PooledTensor> _inputs = [];
    private RequestBody? _body;
    private BinaryInputs? _binary;
    private List<bool?>? _outputBinary;

    public string? Id { get; private set; }

    /// <summary>Requested output names, or null for all outputs.</summary>
    public List<string>? Outputs { get; private set; }

    /// <summary><c>parameters.timeout</c> in microseconds (Triton's convention), when given.</summary>
    public long? TimeoutMicroseconds { get; private set; }

    /// <summary>How many entries <c>inputs</c> has.</summary>
    public int InputCount { get; private set; }

    /// <summary>The body could not be read or is not a well-formed request (413, 415, malformed JSON or structure).</summary>
    public InferenceError? BodyError { get; private set; }

    /// <summary>An input's datatype is unknown or its data does not fit the declared datatype and shape.</summary>
    public InferenceError? DataError { get; private set; }

    /// <summary><c>parameters.binary_data_output</c>: every output binary unless the output itself says otherwise.</summary>
    public bool BinaryDataOutput { get; private set; }

    public static async ValueTask<InferRequest> ReadAsync(HttpContext context, long bodyLimit)
    {
        var request = new InferRequest();
        var jsonLength = -1;
        if (context.Request.Headers.TryGetValue(OpenInferenceApi.HeaderLengthHeader, out var header))
        {
            (jsonLength, request.BodyError) = ParseHeaderLength(header);
            if (request.BodyError is not null)
            {
                return request;
            }
        }

        (request._body, request.BodyError) = await RequestBody.ReadAsync(context, bodyLimit, jsonLength).ConfigureAwait(false);
        if (request._body is not { } body)
        {
            return request;
        }

        if (jsonLength < 0)
        {
            request.BodyError = RequestBody.Parse(body.Span, request.Parse);
            return request;
        }

        if (jsonLength > body.Length)
        {
            request.BodyError = InferenceError.Invalid(OpenInferenceApi.HeaderLengthHeader, string.Create(CultureInfo.InvariantCulture,
                $"{OpenInferenceApi.HeaderLengthHeader} is {jsonLength}, past the end of the {body.Length}-byte body"));
            return request;
        }

        request._binary = new BinaryInputs(body, jsonLength);
        request.BodyError = RequestBody.Parse(body.Span[..jsonLength], request.Parse)
            ?? (request._binary.Remaining > 0
                ? InferenceError.Invalid("body", string.Create(CultureInfo.InvariantCulture, $"{request._binary.Remaining} bytes of binary data after the JSON header belong to no input (each binary input claims 'parameters.binary_data_size' bytes, in order)"))
                : null);
        return request;
    }

    /// <summary>
    /// Whether output <paramref name="index"/> of the response (in the order of the requested outputs, or of the model's
    /// outputs when none was requested) goes back as binary data.
    /// </summary>
    public bool IsBinaryOutput(int index) =>
        _outputBinary is { } flags && index < flags.Count && flags[index] is { } own ? own : BinaryDataOutput;

    /// <summary>Whether any output of a response with <paramref name="outputCount"/> outputs goes back as binary data.</summary>
    public bool AnyBinaryOutput(int outputCount)
    {
        for (var i = 0; i < outputCount; i++)
        {
            if (IsBinaryOutput(i))
            {
                return true;
            }
        }

        return false;
    }

    private static (int Length, InferenceError? Error) ParseHeaderLength(Microsoft.Extensions.Primitives.StringValues header)
    {
        if (header.Count != 1 || !int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return (-1, InferenceError.Invalid(OpenInferenceApi.HeaderLengthHeader, $"{OpenInferenceApi.HeaderLengthHeader} must be one non-negative integer: the byte length of the JSON part of the body"));
        }

        return length == 0
            ? (-1, InferenceError.Invalid(OpenInferenceApi.HeaderLengthHeader, $"{OpenInferenceApi.HeaderLengthHeader}: 0 (a body of raw data without a JSON header) is not supported; send the JSON inference header first and give its length"))
            : (length, null);
    }

    /// <summary>The decoded inputs as a call for the engine (the call takes the tensors).</summary>
    public InferenceCall TakeCall(bool bypassCache, TimeSpan? timeout, string? requestId)
    {
        var call = new InferenceCall([.. _inputs], OipFields.Instance) { OutputNames = Outputs, BypassCache = bypassCache, Timeout = timeout, RequestId = requestId };
        _inputs.Clear();
        return call;
    }

    private InferenceError? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return InferenceError.Invalid("body", "the body must be a JSON object with 'inputs'");
        }

        var inputsSeen = false;
        var parametersSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            InferenceError? error = null;
            if (reader.ValueTextEquals("id"u8))
            {
                var id = Id;
                error = JsonMembers.ReadString(ref reader, "id", ref id);
                Id = id;
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                if (parametersSeen)
                {
                    return JsonMembers.GivenTwice("parameters");
                }

                parametersSeen = true;
                reader.Read();
                error = ParseParameters(ref reader);
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                if (inputsSeen)
                {
                    return JsonMembers.GivenTwice("inputs");
                }

                inputsSeen = true;
                reader.Read();
                error = ParseInputs(ref reader, json);
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                if (Outputs is not null)
                {
                    return JsonMembers.GivenTwice("outputs");
                }

                reader.Read();
                error = ParseOutputs(ref reader);
            }
            else
            {
                var name = reader.GetString();
                return InferenceError.Invalid(name ?? "body", $"unknown field '{name}' (expected id, parameters, inputs, outputs)");
            }

            if (error is not null)
            {
                return error;
            }
        }

        // A second value or any other trailing content makes the body ambiguous: reject it (Read throws on garbage).
        return reader.Read() ? InferenceError.Invalid("body", "unexpected content after the JSON object") : null;
    }

    private InferenceError? ParseInputs(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.Invalid("inputs", "'inputs' must be an array of tensors");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var dataError = InferInputReader.Read(ref reader, json, InputCount, _binary, out var tensor, out var structural);
            if (structural is not null)
            {
                return structural;
            }

            DataError ??= dataError;
            if (tensor is not null)
            {
                _inputs.Add(tensor);
            }

            InputCount++;
        }

        return null;
    }

    private InferenceError? ParseParameters(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return InferenceError.Invalid("parameters", "'parameters' must be an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTimeout = reader.ValueTextEquals("timeout"u8);
            var isBinaryOutput = !isTimeout && reader.ValueTextEquals("binary_data_output"u8);
            reader.Read();
            if (isTimeout)
            {
                if (TimeoutMicroseconds is not null)
                {
                    return JsonMembers.GivenTwice("parameters.timeout");
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var timeout) || timeout < 0)
                {
                    return InferenceError.Invalid("parameters.timeout", "'timeout' must be a non-negative integer (microseconds)");
                }

                TimeoutMicroseconds = timeout;
            }
            else if (isBinaryOutput)
            {
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return InferenceError.Invalid("parameters.binary_data_output", "'binary_data_output' must be true or false");
                }

                BinaryDataOutput = reader.GetBoolean();
            }
            else
            {
                reader.Skip();
            }
        }

        return null;
    }

    private InferenceError? ParseOutputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.Invalid("outputs", "'outputs' must be an array of {\"name\": ...}");
        }

        Outputs = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var field = $"outputs[{Outputs.Count}]";
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return InferenceError.Invalid(field, "each requested output must be an object with a 'name'");
            }

            string? name = null;
            bool? binary = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                var isParameters = !isName && reader.ValueTextEquals("parameters"u8);
                reader.Read();
                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    name = reader.GetString();
                }
                else if (isParameters)
                {
                    var error = ReadOutputParameters(ref reader, field, out binary);
                    if (error is not null)
                    {
                        return error;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (string.IsNullOrEmpty(name))
            {
                return InferenceError.Invalid(field + ".name", "'name' is required and must be a string");
            }

            Outputs.Add(name);
            if (binary is not null || _outputBinary is not null)
            {
                _outputBinary ??= [];
                while (_outputBinary.Count < Outputs.Count - 1)
                {
                    _outputBinary.Add(null);
                }

                _outputBinary.Add(binary);
            }
        }

        return null;
    }

    /// <summary>Reads a requested output's <c>parameters</c>: <c>binary_data</c> is ours, the others are skipped.</summary>
    private static InferenceError? ReadOutputParameters(ref Utf8JsonReader reader, string field, out bool? binary)
    {
        binary = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return InferenceError.Invalid(field + ".parameters", "'parameters' must be an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isBinary = reader.ValueTextEquals("binary_data"u8);
            reader.Read();
            if (!isBinary)
            {
                reader.Skip();
            }
            else if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
            {
                binary = reader.GetBoolean();
            }
            else
            {
                return InferenceError.Invalid(field + ".parameters.binary_data", "'binary_data' must be true or false");
            }
        }

        return null;
    }


    public void Dispose()
    {
        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _inputs.Clear();
        _body?.Dispose();
    }
}
