using System.Text.Json;
using MlServing.Api.Requests;
using MlServing.Inference.Errors;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>
/// Reads one entry of an OIP <c>inputs</c> array (name, shape, datatype, data) into a tensor of its declared datatype.
/// The data is decoded where the reader meets it when the name, datatype and shape came first (the usual order);
/// otherwise its range is read again once the object is complete. Elements must be values of the declared datatype. An
/// input with <c>parameters.binary_data_size</c> takes its elements from the raw data after the JSON header instead
/// (binary tensor extension).
/// </summary>
internal static class InferInputReader
{
    /// <summary>
    /// Reads the object the reader is on. A malformed entry is a <paramref name="structural"/> error; data that does not
    /// fit its declared datatype and shape is a data error (returned). On success <paramref name="tensor"/> is set.
    /// </summary>
    public static InferenceError? Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int index, BinaryInputs? binary, out PooledTensor? tensor, out InferenceError? structural)
    {
        tensor = null;
        structural = null;
        var field = $"inputs[{index}]";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            structural = InferenceError.Invalid(field, "each input must be an object with name, shape, datatype and data");
            return null;
        }

        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        (int Start, int Length)? deferred = null;
        PooledTensor? decoded = null;
        InferenceError? dataError = null;
        var dataSeen = false;
        var parametersSeen = false;
        long? binarySize = null;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    if (name is not null)
                    {
                        structural = JsonMembers.GivenTwice(field + ".name");
                        return null;
                    }

                    reader.Read();
                    name = reader.TokenType == JsonTokenType.String ? reader.GetString() : string.Empty;
                }
                else if (reader.ValueTextEquals("datatype"u8))
                {
                    if (datatype is not null)
                    {
                        structural = JsonMembers.GivenTwice(field + ".datatype");
                        return null;
                    }

                    reader.Read();
                    datatype = reader.TokenType == JsonTokenType.String ? reader.GetString() : string.Empty;
                }
                else if (reader.ValueTextEquals("shape"u8))
                {
                    if (shape is not null)
                    {
                        structural = JsonMembers.GivenTwice(field + ".shape");
                        return null;
                    }

                    reader.Read();
                    shape = ReadShape(ref reader);
                    if (shape is null)
                    {
                        structural = InferenceError.Invalid(field + ".shape", "'shape' must be an array of non-negative integers");
                        return null;
                    }
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    if (dataSeen)
                    {
                        structural = JsonMembers.GivenTwice(field + ".data");
                        return null;
                    }

                    dataSeen = true;
                    reader.Read();
                    // The tensor takes its name when it is built: a name that comes after the data defers it too.
                    if (shape is not null && name is not null && TensorDataTypes.TryParse(datatype, out var type))
                    {
                        dataError = Decode(ref reader, field, name, type, shape, out decoded);
                    }
                    else
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        deferred = (start, (int)reader.BytesConsumed - start);
                    }
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    if (parametersSeen)
                    {
                        structural = JsonMembers.GivenTwice(field + ".parameters");
                        return null;
                    }

                    parametersSeen = true;
                    reader.Read();
                    structural = ReadParameters(ref reader, field, out binarySize);
                    if (structural is not null)
                    {
                        return null;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (string.IsNullOrEmpty(name))
            {
                structural = InferenceError.Invalid(field + ".name", "'name' is required and must be a string");
                return null;
            }

            if (string.IsNullOrEmpty(datatype))
            {
                structural = InferenceError.Invalid(field + ".datatype", "'datatype' is required and must be a string");
                return null;
            }

            if (shape is null)
            {
                structural = InferenceError.Invalid(field + ".shape", "'shape' is required");
                return null;
            }

            if (binarySize is { } size)
            {
                structural = dataSeen
                    ? InferenceError.Invalid(field + ".data", "give either 'data' or 'parameters.binary_data_size' (binary data after the JSON header), not both")
                    : binary is null
                    ? InferenceError.Invalid(field + ".parameters.binary_data_size", $"binary data needs the {OpenInferenceApi.HeaderLengthHeader} header (the length of the JSON part of the body)")
                    : null;
                if (structural is not null || binary is null)
                {
                    return null;
                }

                if (!TensorDataTypes.TryParse(datatype, out var binaryType))
                {
                    // The bytes still belong to this input: skip them so that the next binary input finds its own.
                    structural = binary.Skip(field, size);
                    return structural is null ? UnknownDatatype(field, datatype) : null;
                }

                dataError = binary.Take(field, name, binaryType, shape, size, out decoded, out structural);
                if (structural is not null)
                {
                    return null;
                }
            }
            else if (!dataSeen)
            {
                structural = InferenceError.Invalid(field + ".data", "'data' (or 'parameters.binary_data_size' with binary data) is required");
                return null;
            }

            if (!TensorDataTypes.TryParse(datatype, out var declared))
            {
                return UnknownDatatype(field, datatype);
            }

            if (deferred is { } range)
            {
                var again = new Utf8JsonReader(json.Slice(range.Start, range.Length));
                again.Read();
                dataError = Decode(ref again, field, name, declared, shape, out decoded);
            }

            if (dataError is not null)
            {
                return dataError;
            }

            tensor = decoded;
            decoded = null;
            return null;
        }
        finally
        {
            decoded?.Dispose();
        }
    }

    private static InferenceError? Decode(ref Utf8JsonReader reader, string field, string name, TensorDataType type, long[] shape, out PooledTensor? tensor)
    {
        tensor = null;
        var depth = reader.CurrentDepth;
        var expected = PooledTensor.CountElements(shape);
        if (expected < 0)
        {
            reader.Skip();
            return InferenceError.Invalid(field + ".shape", "the shape describes more elements than any request can carry");
        }

        using var builder = new PooledTensorBuilder(type, (int)Math.Clamp(expected, 4, 1 << 20));
        var error = JsonTensorReader.ReadValue(ref reader, builder, allowNonFinite: true, out _);
        if (error is null && builder.Count != expected)
        {
            error = $"shape [{string.Join(',', shape)}] needs {expected} elements, data has {builder.Count}";
        }

        if (error is not null)
        {
            JsonValueEnd.SkipTo(ref reader, depth);
            return InferenceError.Invalid(field + ".data", error);
        }

        tensor = builder.Build(name, shape);
        return null;
    }

    private static InferenceError UnknownDatatype(string field, string datatype) =>
        InferenceError.Invalid(field + ".datatype", $"'{datatype}' is not a datatype; use one of {string.Join(", ", TensorDataTypes.AllProtocolNames)}");

    /// <summary>Reads an input's <c>parameters</c>: <c>binary_data_size</c> is ours, the others are skipped.</summary>
    private static InferenceError? ReadParameters(ref Utf8JsonReader reader, string field, out long? binarySize)
    {
        binarySize = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return InferenceError.Invalid(field + ".parameters", "'parameters' must be an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSize = reader.ValueTextEquals("binary_data_size"u8);
            reader.Read();
            if (!isSize)
            {
                reader.Skip();
                continue;
            }

            if (binarySize is not null)
            {
                return JsonMembers.GivenTwice(field + ".parameters.binary_data_size");
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var size) || size < 0)
            {
                return InferenceError.Invalid(field + ".parameters.binary_data_size", "'binary_data_size' must be a non-negative integer (bytes)");
            }

            binarySize = size;
        }

        return null;
    }

    private static long[]? ReadShape(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        Span<long> dims = stackalloc long[NestedShape.MaxRank];
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0 || rank == dims.Length)
            {
                while (reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        reader.Skip();
                    }

                    reader.Read();
                }

                return null;
            }

            dims[rank++] = dim;
        }

        return dims[..rank].ToArray();
    }

}
