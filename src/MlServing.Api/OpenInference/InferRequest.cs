using System.Text.Json;
using MlServing.Api.Errors;
using MlServing.Api.Requests;
using MlServing.Api.Validation;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;

namespace MlServing.Api.OpenInference;

/// <summary>An Open Inference Protocol v2 infer request, parsed in one pass; tensor data stays as ranges of the body.</summary>
public sealed class InferRequest : IValidatedRequest, IDisposable
{
    private RequestBody? _body;

    public RequestProtocol Protocol => RequestProtocol.V2;

    public ApiError? BindingError { get; private set; }

    public ModelLookup Lookup { get; private set; }

    public string? Id { get; private set; }

    public List<InferInput> Inputs { get; } = [];

    /// <summary>Requested output names, or null for all outputs.</summary>
    public List<string>? Outputs { get; private set; }

    /// <summary><c>parameters.timeout</c> in microseconds (Triton's convention), when given.</summary>
    public long? TimeoutMicroseconds { get; private set; }

    public ReadOnlySpan<byte> Slice(JsonRange range) => _body!.Slice(range);

    public static async ValueTask<InferRequest> BindAsync(HttpContext context)
    {
        var request = new InferRequest();
        context.Response.RegisterForDispose(request);
        (request._body, request.BindingError) = await RequestBody.ReadJsonAsync(context, request.Parse).ConfigureAwait(false);
        if (request.BindingError is null)
        {
            var name = context.Request.RouteValues["name"] as string;
            var version = context.Request.RouteValues["version"] as string;
            request.Lookup = context.RequestServices.GetRequiredService<ModelRepository>().Resolve(name, version);
        }

        return request;
    }

    private ApiError? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return ApiError.Invalid("body", "the body must be a JSON object with 'inputs'");
        }

        var inputsSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                if (Id is not null)
                {
                    return GivenTwice("id");
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return ApiError.Invalid("id", "'id' must be a string");
                }

                Id = reader.GetString();
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                var error = ParseParameters(ref reader);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                if (inputsSeen)
                {
                    return GivenTwice("inputs");
                }

                inputsSeen = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return ApiError.Invalid("inputs", "'inputs' must be an array of tensors");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var field = $"inputs[{Inputs.Count}]";
                    var (input, error) = InferInput.Parse(ref reader, Inputs.Count, field);
                    if (error is not null)
                    {
                        return error;
                    }

                    Inputs.Add(input!);
                }
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                if (Outputs is not null)
                {
                    return GivenTwice("outputs");
                }

                reader.Read();
                var error = ParseOutputs(ref reader);
                if (error is not null)
                {
                    return error;
                }
            }
            else
            {
                var name = reader.GetString();
                return ApiError.Invalid(name ?? "body", $"unknown field '{name}' (expected id, parameters, inputs, outputs)");
            }
        }

        // A second value or any other trailing content makes the body ambiguous: reject it (Read throws on garbage).
        if (reader.Read())
        {
            return ApiError.Invalid("body", "unexpected content after the JSON object");
        }

        return null;
    }

    private ApiError? ParseParameters(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return ApiError.Invalid("parameters", "'parameters' must be an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTimeout = reader.ValueTextEquals("timeout"u8);
            reader.Read();
            if (isTimeout)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var timeout) || timeout < 0)
                {
                    return ApiError.Invalid("parameters.timeout", "'timeout' must be a non-negative integer (microseconds)");
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

    private ApiError? ParseOutputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return ApiError.Invalid("outputs", "'outputs' must be an array of {\"name\": ...}");
        }

        Outputs = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var field = $"outputs[{Outputs.Count}]";
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return ApiError.Invalid(field, "each requested output must be an object with a 'name'");
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
                return ApiError.Invalid(field + ".name", "'name' is required and must be a string");
            }

            Outputs.Add(name);
        }

        return null;
    }

    /// <summary>A repeated member would be read last-wins while a proxy may have checked the first: reject it.</summary>
    internal static ApiError GivenTwice(string field) => ApiError.Invalid(field, $"'{field}' is given more than once");

    public void Dispose() => _body?.Dispose();
}

/// <summary>One entry of <c>inputs</c>: the declared name, datatype and shape, and where its data is.</summary>
public sealed class InferInput
{
    public required int Index { get; init; }

    public required string Name { get; init; }

    public required string Datatype { get; init; }

    public required long[] Shape { get; init; }

    public required JsonRange Data { get; init; }

    internal static (InferInput? Input, ApiError? Error) Parse(ref Utf8JsonReader reader, int index, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, ApiError.Invalid(field, "each input must be an object with name, shape, datatype and data"));
        }

        string? name = null;
        string? datatype = null;
        List<long>? shape = null;
        JsonRange? data = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                if (name is not null)
                {
                    return (null, InferRequest.GivenTwice(field + ".name"));
                }

                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                if (datatype is not null)
                {
                    return (null, InferRequest.GivenTwice(field + ".datatype"));
                }

                reader.Read();
                datatype = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                if (shape is not null)
                {
                    return (null, InferRequest.GivenTwice(field + ".shape"));
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return (null, ApiError.Invalid(field + ".shape", "'shape' must be an array of non-negative integers"));
                }

                shape = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
                    {
                        return (null, ApiError.Invalid(field + ".shape", "'shape' must be an array of non-negative integers"));
                    }

                    shape.Add(dim);
                }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                if (data is not null)
                {
                    return (null, InferRequest.GivenTwice(field + ".data"));
                }

                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                data = new JsonRange(start, (int)reader.BytesConsumed - start);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            return (null, ApiError.Invalid(field + ".name", "'name' is required and must be a string"));
        }

        if (string.IsNullOrEmpty(datatype))
        {
            return (null, ApiError.Invalid(field + ".datatype", "'datatype' is required and must be a string"));
        }

        if (shape is null)
        {
            return (null, ApiError.Invalid(field + ".shape", "'shape' is required"));
        }

        if (data is null)
        {
            return (null, ApiError.Invalid(field + ".data", "'data' is required (binary tensor data is not supported)"));
        }

        return (new InferInput { Index = index, Name = name, Datatype = datatype, Shape = [.. shape], Data = data.Value }, null);
    }
}
