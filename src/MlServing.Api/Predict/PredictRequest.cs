using System.Globalization;
using System.Text.Json;
using MlServing.Api.Errors;
using MlServing.Api.Requests;
using MlServing.Api.Validation;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;

namespace MlServing.Api.Predict;

/// <summary>
/// A <c>POST /predict</c> body (DESIGN §3.1), parsed in one pass with <see cref="Utf8JsonReader"/>. Rows stay as
/// ranges of the pooled body until the decoder writes them into the model's typed buffers.
/// </summary>
public sealed class PredictRequest : IValidatedRequest, IDisposable
{
    private RequestBody? _body;

    public RequestProtocol Protocol => RequestProtocol.Predict;

    public ApiError? BindingError { get; private set; }

    public ModelLookup Lookup { get; private set; }

    public string? Model { get; private set; }

    public string? Version { get; private set; }

    /// <summary>The <c>instances</c> array, and how many rows it has.</summary>
    public JsonRange? Instances { get; private set; }

    public int InstanceCount { get; private set; }

    /// <summary>The <c>inputs</c> object's members: input name and value range.</summary>
    public List<KeyValuePair<string, JsonRange>>? Inputs { get; private set; }

    public ReadOnlySpan<byte> Slice(JsonRange range) => _body!.Slice(range);

    public static async ValueTask<PredictRequest> BindAsync(HttpContext context)
    {
        var request = new PredictRequest();
        context.Response.RegisterForDispose(request);
        (request._body, request.BindingError) = await RequestBody.ReadJsonAsync(context, request.Parse).ConfigureAwait(false);
        if (request.BindingError is null)
        {
            request.Lookup = context.RequestServices.GetRequiredService<ModelRepository>().Resolve(request.Model, request.Version);
        }

        return request;
    }

    private ApiError? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return ApiError.Invalid("body", "the body must be a JSON object with 'instances' or 'inputs'");
        }

        var versionSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                if (Model is not null)
                {
                    return GivenTwice("model");
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return ApiError.Invalid("model", "'model' must be a string");
                }

                Model = reader.GetString();
            }
            else if (reader.ValueTextEquals("version"u8))
            {
                if (versionSeen)
                {
                    return GivenTwice("version");
                }

                versionSeen = true;
                reader.Read();
                Version = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number when reader.TryGetInt64(out var number) => number.ToString(CultureInfo.InvariantCulture),
                    JsonTokenType.Null => null,
                    _ => "\u0000",
                };
                if (Version == "\u0000")
                {
                    return ApiError.Invalid("version", "'version' must be a string or an integer");
                }
            }
            else if (reader.ValueTextEquals("instances"u8))
            {
                if (Instances is not null)
                {
                    return GivenTwice("instances");
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return ApiError.Invalid("instances", "'instances' must be an array of rows");
                }

                var start = (int)reader.TokenStartIndex;
                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    count++;
                    reader.Skip();
                }

                Instances = new JsonRange(start, (int)reader.BytesConsumed - start);
                InstanceCount = count;
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                if (Inputs is not null)
                {
                    return GivenTwice("inputs");
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return ApiError.Invalid("inputs", "'inputs' must be an object of input name to batch-first nested array");
                }

                Inputs = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    Inputs.Add(new(name, new JsonRange(start, (int)reader.BytesConsumed - start)));
                }
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                reader.Skip();
            }
            else
            {
                var name = reader.GetString();
                return ApiError.Invalid(name ?? "body", $"unknown field '{name}' (expected model, version, instances or inputs)");
            }
        }

        // A second value or any other trailing content makes the body ambiguous: reject it (Read throws on garbage).
        if (reader.Read())
        {
            return ApiError.Invalid("body", "unexpected content after the JSON object");
        }

        return null;
    }

    /// <summary>A repeated member would be read last-wins while a proxy may have checked the first: reject it.</summary>
    private static ApiError GivenTwice(string field) => ApiError.Invalid(field, $"'{field}' is given more than once");

    public void Dispose() => _body?.Dispose();
}
