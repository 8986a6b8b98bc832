using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MlServing.Api.Errors;
using MlServing.Api.Validation;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Predict;

/// <summary>
/// Turns a validated <see cref="PredictRequest"/> into model inputs: positional rows, rows keyed by feature
/// name (any order), rows keyed by input name (multi-input models), or whole named tensors (<c>inputs</c>).
/// </summary>
internal static class PredictDecoder
{
    /// <summary>
    /// Returns the request, plus the number of rows to answer one prediction each for (-1 when the model's
    /// outputs do not split by row, as with non-batchable models fed whole tensors).
    /// </summary>
    public static (InferenceRequest? Request, ApiError? Error) Decode(PredictRequest request, ModelVersion model, int maxRows)
    {
        var signature = model.Signature;
        var inputs = new PooledTensor[signature.Inputs.Length];
        try
        {
            var error = request.Instances is { } instances
                ? DecodeInstances(request, request.Slice(instances), model, inputs)
                : DecodeInputs(request, model, inputs, maxRows);
            if (error is not null)
            {
                DisposeAll(inputs);
                return (null, error);
            }

            var rows = RowsOf(inputs);
            if (rows < 0 && signature.IsBatchable)
            {
                // Every input of a batchable model is batch-first with one shared row count (DESIGN §2).
                var counts = string.Join(", ", inputs.Select((t, i) => $"'{signature.Inputs[i].Name}' has {t.Shape[0]}"));
                DisposeAll(inputs);
                return (null, ApiError.Invalid("inputs", $"every input needs the same number of rows: {counts}"));
            }

            if (rows > 0)
            {
                for (var i = 0; i < inputs.Length; i++)
                {
                    var fixedBatch = signature.Inputs[i].Shape[0];
                    if (fixedBatch >= 0 && fixedBatch != rows)
                    {
                        DisposeAll(inputs);
                        return (null, ApiError.Invalid(request.Instances is null ? "inputs" : "instances", $"the model takes exactly {fixedBatch} row(s) per request (input '{signature.Inputs[i].Name}' has a fixed batch dimension), got {rows}"));
                    }
                }
            }

            return (new InferenceRequest(inputs, model.Session.AllOutputs, Math.Max(rows, 1)), null);
        }
        catch
        {
            DisposeAll(inputs);
            throw;
        }
    }

    /// <summary>The shared dim 0 of every input, or -1 when the inputs are not all batch-first with one row count.</summary>
    public static int RowsOf(PooledTensor[] inputs)
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

    private static ApiError? DecodeInstances(PredictRequest request, ReadOnlySpan<byte> json, ModelVersion model, PooledTensor[] inputs)
    {
        var signature = model.Signature;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var accumulators = new RowAccumulator[signature.Inputs.Length];
        try
        {
            for (var i = 0; i < accumulators.Length; i++)
            {
                if (signature.Inputs[i].Rank == 0)
                {
                    return ApiError.Invalid("instances", $"input '{signature.Inputs[i].Name}' is a scalar, which rows cannot carry; send 'inputs' instead");
                }

                accumulators[i] = new RowAccumulator(signature.Inputs[i], request.InstanceCount);
            }

            var row = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                string? error;
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    try
                    {
                        error = model.Features is { } features
                            ? ReadNamedFeatures(ref reader, features, accumulators[0], model.AllowNonFinite)
                            : accumulators.Length > 1
                                ? ReadNamedInputs(ref reader, signature.InputNames, accumulators, model.AllowNonFinite)
                                : "rows keyed by name need 'features' in the model's config.json; send the values as an array in column order";
                    }
                    catch (InvalidOperationException)
                    {
                        // Utf8JsonReader.GetString/CopyString on a key with invalid UTF-8 or an unpaired surrogate escape.
                        error = "a name is not valid Unicode text (invalid UTF-8 or an unpaired surrogate)";
                    }
                }
                else if (accumulators.Length > 1)
                {
                    error = $"the model has {accumulators.Length} inputs ({string.Join(", ", signature.InputNames)}): send each row as an object keyed by input name, or use 'inputs'";
                }
                else
                {
                    error = accumulators[0].AddRow(ref reader, model.AllowNonFinite);
                }

                if (error is not null)
                {
                    return ApiError.Invalid(string.Create(CultureInfo.InvariantCulture, $"instances[{row}]"), error);
                }

                row++;
            }

            for (var i = 0; i < accumulators.Length; i++)
            {
                inputs[i] = accumulators[i].Build();
            }

            return null;
        }
        finally
        {
            foreach (var accumulator in accumulators)
            {
                accumulator?.Dispose();
            }
        }
    }

    private static string? ReadNamedFeatures(ref Utf8JsonReader reader, FeatureMap features, RowAccumulator accumulator, bool allowNonFinite)
    {
        var builder = accumulator.Builder;
        if (builder.DataType == TensorDataType.Bytes)
        {
            return "rows keyed by feature name need a numeric input";
        }

        var width = features.Count;
        var seenArray = ArrayPool<bool>.Shared.Rent(width);
        var order = ArrayPool<int>.Shared.Rent(width);
        Span<char> nameBuffer = stackalloc char[256];
        try
        {
            var seen = seenArray.AsSpan(0, width);
            seen.Clear();
            var count = 0;
            builder.Origin = builder.Count;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var index = LookupName(ref reader, features, nameBuffer);
                if (index < 0)
                {
                    return $"unknown feature '{reader.GetString()}'";
                }

                if (seen[index])
                {
                    return $"feature '{features.Names[index]}' is given twice";
                }

                seen[index] = true;
                order[count++] = index;
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    return $"feature '{features.Names[index]}' must be a single value";
                }

                var error = JsonTensorReader.AppendElement(ref reader, builder, allowNonFinite);
                if (error is not null)
                {
                    return $"feature '{features.Names[index]}': {error}";
                }
            }

            if (count < width)
            {
                var missing = new List<string>();
                for (var i = 0; i < width && missing.Count < 5; i++)
                {
                    if (!seen[i])
                    {
                        missing.Add(features.Names[i]);
                    }
                }

                return $"missing {width - count} of {width} features: {string.Join(", ", missing)}{(width - count > missing.Count ? ", ..." : string.Empty)}";
            }

            builder.PermuteTail(order.AsSpan(0, width));
            accumulator.AddAppendedRow(width);
            return null;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(seenArray);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private static int LookupName(ref Utf8JsonReader reader, FeatureMap features, scoped Span<char> buffer)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > buffer.Length)
        {
            return features.IndexOf(reader.GetString());
        }

        var written = reader.CopyString(buffer);
        return features.IndexOf(buffer[..written]);
    }

    private static string? ReadNamedInputs(ref Utf8JsonReader reader, string[] inputNames, RowAccumulator[] accumulators, bool allowNonFinite)
    {
        var given = new bool[accumulators.Length];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var index = Array.IndexOf(inputNames, name);
            if (index < 0)
            {
                return $"'{name}' is not an input of the model (inputs: {string.Join(", ", inputNames)})";
            }

            if (given[index])
            {
                return $"input '{name}' is given twice";
            }

            given[index] = true;
            reader.Read();
            var error = accumulators[index].AddRow(ref reader, allowNonFinite);
            if (error is not null)
            {
                return $"input '{name}': {error}";
            }
        }

        return MissingInputs.Describe(inputNames, given);
    }

    private static ApiError? DecodeInputs(PredictRequest request, ModelVersion model, PooledTensor[] inputs, int maxRows)
    {
        var signature = model.Signature;
        foreach (var (name, range) in request.Inputs!)
        {
            var index = signature.IndexOfInput(name);
            var spec = signature.Inputs[index];
            var field = "inputs." + name;
            var reader = new Utf8JsonReader(request.Slice(range));
            reader.Read();
            using var builder = new PooledTensorBuilder(spec.DataType, Math.Min(range.Length / 2, 1 << 20));
            var error = JsonTensorReader.ReadValue(ref reader, builder, model.AllowNonFinite, out var shape);
            if (error is not null)
            {
                return ApiError.Invalid(field, error);
            }

            if (shape.Rank != spec.Rank)
            {
                return ApiError.Invalid(field, $"expected a rank-{spec.Rank} value (shape [{Dims(spec.Shape)}]), got shape {shape}");
            }

            for (var d = 0; d < shape.Rank; d++)
            {
                if ((spec.Shape[d] >= 0 && spec.Shape[d] != shape[d]) || shape[d] == 0)
                {
                    return ApiError.Invalid(field, $"expected shape [{Dims(spec.Shape)}], got {shape}");
                }
            }

            if (shape.Rank > 0 && shape[0] > maxRows && spec.HasDynamicBatchDim)
            {
                return ApiError.TooLarge(field, $"{shape[0]} rows is over the limit of {maxRows} per request (MlServing:Limits:MaxRowsPerRequest)");
            }

            inputs[index] = builder.Build(spec.Name, shape.ToArray());
        }

        return null;
    }

    internal static string Dims(long[] shape) =>
        string.Join(',', shape.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)));

    private static void DisposeAll(PooledTensor[] tensors)
    {
        foreach (var tensor in tensors)
        {
            tensor?.Dispose();
        }
    }
}
