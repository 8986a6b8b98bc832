using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MlServing.Inference.Errors;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Predict;

/// <summary>
/// Decodes <c>/predict</c> bodies into the model's typed buffers as the reader meets them: rows by position, rows
/// keyed by feature name (any order), rows keyed by input name (multi-input models), or whole named tensors.
/// Errors name the row or input; per-element checks happen inside the tensor reader.
/// </summary>
internal static class PredictRows
{
    /// <summary>Reads the <c>instances</c> array the reader is on (StartArray) into one tensor per model input.</summary>
    public static InferenceError? ReadInstances(ref Utf8JsonReader reader, ModelVersion model, out PooledTensor[]? inputs, out int rows)
    {
        inputs = null;
        rows = 0;
        var signature = model.Signature;
        var accumulators = new RowAccumulator[signature.Inputs.Length];
        try
        {
            for (var i = 0; i < accumulators.Length; i++)
            {
                if (signature.Inputs[i].Rank == 0)
                {
                    return InferenceError.Invalid("instances", $"input '{signature.Inputs[i].Name}' is a scalar, which rows cannot carry; send 'inputs' instead");
                }

                accumulators[i] = new RowAccumulator(signature.Inputs[i]);
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var error = ReadRow(ref reader, model, accumulators);
                if (error is not null)
                {
                    return InferenceError.Invalid(string.Create(CultureInfo.InvariantCulture, $"instances[{rows}]"), error);
                }

                rows++;
            }

            var built = new PooledTensor[accumulators.Length];
            for (var i = 0; i < accumulators.Length; i++)
            {
                built[i] = accumulators[i].Build();
            }

            inputs = built;
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

    private static string? ReadRow(ref Utf8JsonReader reader, ModelVersion model, RowAccumulator[] accumulators)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return accumulators.Length > 1
                ? $"the model has {accumulators.Length} inputs ({string.Join(", ", model.Signature.InputNames)}): send each row as an object keyed by input name, or use 'inputs'"
                : accumulators[0].AddRow(ref reader, model.AllowNonFinite);
        }

        try
        {
            return model.Features is { } features
                ? ReadNamedFeatures(ref reader, features, accumulators[0], model.AllowNonFinite)
                : accumulators.Length > 1
                    ? ReadNamedInputs(ref reader, model.Signature.InputNames, accumulators, model.AllowNonFinite)
                    : "rows keyed by name need 'features' in the model's config.json; send the values as an array in column order";
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString/CopyString on a key with invalid UTF-8 or an unpaired surrogate escape.
            return "a name is not valid Unicode text (invalid UTF-8 or an unpaired surrogate)";
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
        Span<bool> given = stackalloc bool[accumulators.Length];
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

        if (given.IndexOf(false) >= 0)
        {
            var missing = new List<string>();
            for (var i = 0; i < inputNames.Length; i++)
            {
                if (!given[i])
                {
                    missing.Add(inputNames[i]);
                }
            }

            return $"missing input(s): {string.Join(", ", missing)}";
        }

        return null;
    }

    /// <summary>
    /// Reads one member of <c>inputs</c> (the reader is on its value) as a tensor of the model input's type with the
    /// nesting as its shape. A name the model does not have gives an empty tensor of that name, for the signature check
    /// to report.
    /// </summary>
    public static InferenceError? ReadNamedTensor(ref Utf8JsonReader reader, string name, ModelVersion model, out PooledTensor tensor)
    {
        var index = model.Signature.IndexOfInput(name);
        if (index < 0)
        {
            reader.Skip();
            tensor = PooledTensor.FromRentedBytes(name, TensorDataType.Float32, [0], ArrayPool<byte>.Shared.Rent(1), 0);
            return null;
        }

        var spec = model.Signature.Inputs[index];
        using var builder = new PooledTensorBuilder(spec.DataType, 64);
        var error = JsonTensorReader.ReadValue(ref reader, builder, model.AllowNonFinite, out var shape);
        if (error is not null)
        {
            tensor = null!;
            return InferenceError.Invalid("inputs." + name, error);
        }

        tensor = builder.Build(spec.Name, shape.ToArray());
        return null;
    }
}
