using System.Text.Json;
using MlServing.Api.Requests;
using MlServing.Inference.Errors;
using MlServing.Inference.Serving;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>
/// An Open Inference Protocol v2 infer request, parsed in one pass: each input's data is decoded into a tensor of its
/// declared datatype as the reader meets it. The model is not needed to decode; the engine then checks the tensors
/// against the signature.
/// </summary>
public sealed class InferRequest : IDisposable
{
    private readonly List<PooledTensor> _inputs = [];
    private RequestBody? _body;

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

    public static async ValueTask<InferRequest> ReadAsync(HttpContext context, long bodyLimit)
    {
        var request = new InferRequest();
        (request._body, request.BodyError) = await RequestBody.ReadAsync(context, bodyLimit).ConfigureAwait(false);
        if (request._body is { } body)
        {
            request.BodyError = RequestBody.Parse(body.Span, request.Parse);
        }

        return request;
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
                if (Id is not null)
                {
                    return GivenTwice("id");
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return InferenceError.Invalid("id", "'id' must be a string");
                }

                Id = reader.GetString();
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                if (parametersSeen)
                {
                    return GivenTwice("parameters");
                }

                parametersSeen = true;
                reader.Read();
                error = ParseParameters(ref reader);
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                if (inputsSeen)
                {
                    return GivenTwice("inputs");
                }

                inputsSeen = true;
                reader.Read();
                error = ParseInputs(ref reader, json);
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                if (Outputs is not null)
                {
                    return GivenTwice("outputs");
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
            var dataError = InferInputReader.Read(ref reader, json, InputCount, out var tensor, out var structural);
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
            reader.Read();
            if (isTimeout)
            {
                if (TimeoutMicroseconds is not null)
                {
                    return GivenTwice("parameters.timeout");
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var timeout) || timeout < 0)
                {
                    return InferenceError.Invalid("parameters.timeout", "'timeout' must be a non-negative integer (microseconds)");
                }

                TimeoutMicroseconds = timeout;
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
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                reader.Read();
                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    name = reader.GetString();
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
        }

        return null;
    }

    /// <summary>A repeated member would be read last-wins while a proxy may have checked the first: reject it.</summary>
    private static InferenceError GivenTwice(string field) => InferInputReader.GivenTwice(field);

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
