using System.Globalization;
using MlServing.Inference.Errors;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Serving;

/// <summary>
/// Checks a call against the model signature once, for every front end: input names, datatypes (equal, never
/// converted), shapes, one batch size, the row limit, requested outputs. Errors are keyed by the front end's field
/// paths. Nothing is allocated for a valid call.
/// </summary>
internal static class SignatureValidator
{
    /// <summary>
    /// Puts the inputs in signature order into <paramref name="ordered"/> and returns the rows (dim 0 of a batchable
    /// model, 1 otherwise), or the error.
    /// </summary>
    public static InferenceError? Validate(InferenceCall call, ModelSignature signature, int maxRows, bool allowNonFinite, PooledTensor[] ordered, out int rows)
    {
        rows = 1;
        Dictionary<string, string[]>? errors = null;
        InferenceError? tooLarge = null;
        var fields = call.Fields;
        var inputs = call.Inputs;
        long batch = -1;
        var batchMismatch = false;
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = inputs[i];
            var index = signature.IndexOfInput(input.Name);
            if (index < 0)
            {
                Add(ref errors, fields.Input(i, input.Name, InputPart.Name), $"'{input.Name}' is not an input of the model (inputs: {string.Join(", ", signature.InputNames)})");
                continue;
            }

            if (ordered[index] is not null)
            {
                Add(ref errors, fields.Input(i, input.Name, InputPart.Name), $"input '{input.Name}' is given twice");
                continue;
            }

            ordered[index] = input;
            var spec = signature.Inputs[index];
            if (input.DataType != spec.DataType)
            {
                Add(ref errors, fields.Input(i, input.Name, InputPart.Datatype), $"input '{spec.Name}' is {spec.DataType.ToProtocolName()}, got {input.DataType.ToProtocolName()} (datatypes must match; nothing is converted)");
            }

            var shapeError = CheckShape(input.Shape, spec);
            if (shapeError is not null)
            {
                Add(ref errors, fields.Input(i, input.Name, InputPart.Shape), shapeError);
                continue;
            }

            if (!allowNonFinite && input.DataType.IsFloatingPoint() && FirstNonFinite(input) is var element and >= 0)
            {
                Add(ref errors, fields.Input(i, input.Name, InputPart.Data), string.Create(CultureInfo.InvariantCulture, $"element {element}: NaN and Infinity are not accepted by this model (set \"allowNonFinite\": true in its config.json)"));
            }

            if (spec.HasDynamicBatchDim && input.Shape[0] > maxRows)
            {
                tooLarge ??= InferenceError.TooLarge(fields.Input(i, input.Name, InputPart.Shape), string.Create(CultureInfo.InvariantCulture, $"{input.Shape[0]} rows is over the limit of {maxRows} per request (MlServing:Limits:MaxRowsPerRequest)"));
            }

            // Dim 0 of a batchable model is one batch shared by every input: a mismatch would be broadcast by ONNX
            // Runtime or mis-split by the batcher instead of being rejected.
            if (signature.IsBatchable)
            {
                batchMismatch |= batch >= 0 && input.Shape[0] != batch;
                batch = input.Shape[0];
            }
        }

        if (batchMismatch)
        {
            Add(ref errors, fields.Inputs, BatchMismatch(inputs, fields));
        }

        if (errors is null && Array.IndexOf(ordered, null) >= 0)
        {
            Add(ref errors, fields.Inputs, Missing(signature, ordered));
        }

        if (call.OutputNames is { } outputs)
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                if (signature.IndexOfOutput(outputs[i]) < 0)
                {
                    Add(ref errors, fields.Output(i), $"'{outputs[i]}' is not an output of the model (outputs: {string.Join(", ", signature.OutputNames)})");
                }
            }
        }

        if (tooLarge is not null)
        {
            return tooLarge;
        }

        if (errors is not null)
        {
            return InferenceError.Invalid(errors);
        }

        rows = signature.IsBatchable ? (int)batch : 1;
        return null;
    }

    private static string? CheckShape(long[] shape, TensorSpec spec)
    {
        if (shape.Length != spec.Rank)
        {
            return $"input '{spec.Name}' has rank {spec.Rank} (shape [{Dims(spec.Shape)}]), got shape [{Dims(shape)}]";
        }

        for (var d = 0; d < shape.Length; d++)
        {
            if (spec.Shape[d] >= 0 && spec.Shape[d] != shape[d])
            {
                return d == 0 && spec.Rank > 0
                    ? $"the model takes exactly {spec.Shape[0]} row(s) per request (input '{spec.Name}' has a fixed batch dimension, shape [{Dims(spec.Shape)}]), got {shape[0]}"
                    : $"dimension {d} of input '{spec.Name}' must be {spec.Shape[d]} (shape [{Dims(spec.Shape)}]), got {shape[d]}";
            }

            if (shape[d] == 0)
            {
                return $"dimension {d} is 0; empty tensors are not accepted";
            }
        }

        return null;
    }

    private static string BatchMismatch(PooledTensor[] inputs, IRequestFields fields)
    {
        var parts = new List<string>(inputs.Length);
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].Shape.Length > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"'{inputs[i].Name}' has {inputs[i].Shape[0]} ({fields.Input(i, inputs[i].Name, InputPart.Shape)})"));
            }
        }

        return "every input needs the same number of rows (dimension 0, the batch): " + string.Join(", ", parts);
    }

    /// <summary>Index of the first NaN or infinity, or -1.</summary>
    private static int FirstNonFinite(PooledTensor input) => input.DataType switch
    {
        TensorDataType.Float32 => FirstNonFinite(input.AsSpan<float>()),
        TensorDataType.Float64 => FirstNonFinite(input.AsSpan<double>()),
        _ => FirstNonFinite(input.AsSpan<Half>()),
    };

    private static int FirstNonFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Missing(ModelSignature signature, PooledTensor[] ordered)
    {
        var missing = new List<string>();
        for (var i = 0; i < ordered.Length; i++)
        {
            if (ordered[i] is null)
            {
                missing.Add(signature.InputNames[i]);
            }
        }

        return $"missing input(s): {string.Join(", ", missing)}";
    }

    internal static string Dims(long[] shape) =>
        string.Join(',', Array.ConvertAll(shape, d => d < 0 ? "-1" : d.ToString(CultureInfo.InvariantCulture)));

    private static void Add(ref Dictionary<string, string[]>? errors, string field, string message)
    {
        errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
    }
}
