using System.Globalization;
using System.Text.Json;
using MlServing.Api.Requests;
using MlServing.Inference.Errors;
using MlServing.Inference.Serving;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Predict;

/// <summary>
/// A <c>POST /predict</c> body (docs/API.md), parsed in one pass with <see cref="Utf8JsonReader"/>: when the reader
/// meets <c>instances</c> or <c>inputs</c> the model is resolved with what is known so far and the rows are decoded
/// straight into its typed buffers. Only when a later <c>model</c>/<c>version</c> member changes the answer (or
/// nothing could be resolved yet) is that range read a second time.
/// </summary>
public sealed class PredictRequest : IDisposable
{
    private readonly HttpInference _http;
    private readonly HttpContext _context;
    private RequestBody? _body;
    private (int Start, int Length) _range;
    private (string? Model, string? Version)? _resolvedWith;
    private PooledTensor[]? _inputs;

    private PredictRequest(HttpInference http, HttpContext context)
    {
        _http = http;
        _context = context;
    }

    public string? Model { get; private set; }

    public string? Version { get; private set; }

    /// <summary>True when the body has <c>instances</c> (rows); false for <c>inputs</c> (named tensors).</summary>
    public bool HasInstances { get; private set; }

    public bool HasInputs { get; private set; }

    /// <summary>Rows in <c>instances</c>.</summary>
    public int InstanceCount { get; private set; }

    /// <summary>The body could not be read or is not a well-formed request (413, 415, malformed JSON).</summary>
    public InferenceError? BodyError { get; private set; }

    /// <summary>The model or version cannot be had (404, 503).</summary>
    public InferenceError? LookupError { get; private set; }

    /// <summary>A row or tensor could not be decoded into the model's types (400 naming it).</summary>
    public InferenceError? DecodeError { get; private set; }

    public ModelLease? Lease { get; private set; }

    public static async ValueTask<PredictRequest> ReadAsync(HttpContext context, HttpInference http)
    {
        var request = new PredictRequest(http, context);
        (request._body, request.BodyError) = await RequestBody.ReadAsync(context, http.BodyLimit).ConfigureAwait(false);
        if (request._body is { } body)
        {
            request.BodyError = RequestBody.Parse(body.Span, request.Parse);
            if (request.BodyError is null)
            {
                request.Settle();
            }
        }

        return request;
    }

    /// <summary>The decoded inputs as a call for the engine (the call takes the tensors), and the rows to answer one prediction each for (-1: none).</summary>
    public InferenceCall TakeCall(bool bypassCache, TimeSpan? timeout, string? requestId, out int rows)
    {
        var inputs = _inputs!;
        _inputs = null;
        rows = HasInstances ? InstanceCount : CommonRows(inputs);
        return new InferenceCall(inputs, HasInstances ? PredictFields.Rows : PredictFields.Tensors) { BypassCache = bypassCache, Timeout = timeout, RequestId = requestId };
    }

    private InferenceError? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return InferenceError.Invalid("body", "the body must be a JSON object with 'instances' or 'inputs'");
        }

        var versionSeen = false;
        var parametersSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                var model = Model;
                if (JsonMembers.ReadString(ref reader, "model", ref model) is { } error)
                {
                    return error;
                }

                Model = model;
            }
            else if (reader.ValueTextEquals("version"u8))
            {
                if (versionSeen)
                {
                    return JsonMembers.GivenTwice("version");
                }

                versionSeen = true;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                {
                    Version = number.ToString(CultureInfo.InvariantCulture);
                }
                else if (reader.TokenType is JsonTokenType.String or JsonTokenType.Null)
                {
                    Version = reader.GetString();
                }
                else
                {
                    return InferenceError.Invalid("version", "'version' must be a string or an integer");
                }
            }
            else if (reader.ValueTextEquals("instances"u8) || reader.ValueTextEquals("inputs"u8))
            {
                var instances = reader.ValueTextEquals("instances"u8);
                if (instances ? HasInstances : HasInputs)
                {
                    return JsonMembers.GivenTwice(instances ? "instances" : "inputs");
                }

                reader.Read();
                if (instances ? reader.TokenType != JsonTokenType.StartArray : reader.TokenType != JsonTokenType.StartObject)
                {
                    return instances
                        ? InferenceError.Invalid("instances", "'instances' must be an array of rows")
                        : InferenceError.Invalid("inputs", "'inputs' must be an object of input name to batch-first nested array");
                }

                HasInstances |= instances;
                HasInputs |= !instances;
                var start = (int)reader.TokenStartIndex;
                Decode(ref reader, instances);
                _range = (start, (int)reader.BytesConsumed - start);
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                if (parametersSeen)
                {
                    return JsonMembers.GivenTwice("parameters");
                }

                parametersSeen = true;
                reader.Read();
                reader.Skip();
            }
            else
            {
                var name = reader.GetString();
                return InferenceError.Invalid(name ?? "body", $"unknown field '{name}' (expected model, version, instances or inputs)");
            }
        }

        // A second value or any other trailing content makes the body ambiguous: reject it (Read throws on garbage).
        if (reader.Read())
        {
            return InferenceError.Invalid("body", "unexpected content after the JSON object");
        }

        return null;
    }

    /// <summary>Decodes the value the reader is on with the model resolved so far; leaves the reader at its end either way.</summary>
    private void Decode(ref Utf8JsonReader reader, bool instances)
    {
        var depth = reader.CurrentDepth;
        if (HasInstances && HasInputs)
        {
            reader.Skip();
            return;
        }

        if (Lease is null && LookupError is null)
        {
            (Lease, LookupError) = _http.Resolve(_context, Model, Version);
            _resolvedWith = (Model, Version);
        }

        if (Lease is not { } lease)
        {
            reader.Skip();
            return;
        }

        DecodeError = instances ? DecodeRows(ref reader, lease) : DecodeTensors(ref reader, lease);
        if (DecodeError is not null)
        {
            JsonValueEnd.SkipTo(ref reader, depth);
        }
    }

    private InferenceError? DecodeRows(ref Utf8JsonReader reader, ModelLease lease)
    {
        var error = PredictRows.ReadInstances(ref reader, lease.Model, out _inputs, out var rows);
        InstanceCount = rows;
        return error;
    }

    private InferenceError? DecodeTensors(ref Utf8JsonReader reader, ModelLease lease)
    {
        var tensors = new List<PooledTensor>(lease.Model.Signature.Inputs.Length);
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var error = PredictRows.ReadNamedTensor(ref reader, name, lease.Model, out var tensor);
                if (error is not null)
                {
                    return error;
                }

                tensors.Add(tensor);
            }

            _inputs = [.. tensors];
            tensors.Clear();
            return null;
        }
        finally
        {
            foreach (var tensor in tensors)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>After the whole body: if later members changed the model or version, resolve again and decode the range again.</summary>
    private void Settle()
    {
        if ((HasInstances && HasInputs) || (!HasInstances && !HasInputs) || _resolvedWith == (Model, Version))
        {
            return;
        }

        Lease?.Dispose();
        DisposeInputs();
        DecodeError = null;
        (Lease, LookupError) = _http.Resolve(_context, Model, Version);
        _resolvedWith = (Model, Version);
        if (Lease is { } lease)
        {
            var reader = new Utf8JsonReader(_body!.Span.Slice(_range.Start, _range.Length), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
            reader.Read();
            DecodeError = HasInstances ? DecodeRows(ref reader, lease) : DecodeTensors(ref reader, lease);
        }
    }

    /// <summary>The shared dim 0 of every input, or -1 when the inputs are not all batch-first with one row count.</summary>
    private static int CommonRows(PooledTensor[] inputs)
    {
        long rows = -1;
        foreach (var input in inputs)
        {
            if (input.Shape.Length == 0 || (rows >= 0 && input.Shape[0] != rows))
            {
                return -1;
            }

            rows = input.Shape[0];
        }

        return (int)rows;
    }


    private void DisposeInputs()
    {
        if (_inputs is { } inputs)
        {
            foreach (var input in inputs)
            {
                input?.Dispose();
            }

            _inputs = null;
        }
    }

    public void Dispose()
    {
        DisposeInputs();
        Lease?.Dispose();
        _body?.Dispose();
    }
}
