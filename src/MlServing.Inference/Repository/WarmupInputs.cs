using System.Buffers;
using System.Text;
using System.Text.Json;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Repository;

/// <summary>The inputs of a version's warm-up inference: config.json's <c>warmup.inputs</c>, or zeros with dynamic dims = 1.</summary>
internal static class WarmupInputs
{
    /// <exception cref="ModelLoadException">The configured inputs do not fit the model.</exception>
    public static PooledTensor[] FromConfig(ModelSignature signature, WarmupTensor[] configured)
    {
        var inputs = new PooledTensor[signature.Inputs.Length];
        try
        {
            foreach (var tensor in configured)
            {
                var index = signature.IndexOfInput(tensor.Name);
                if (index < 0)
                {
                    throw new ModelLoadException($"warmup input '{tensor.Name}' is not an input of the model (inputs: {string.Join(", ", signature.InputNames)})");
                }

                var spec = signature.Inputs[index];
                var shape = tensor.Shape!;
                var expected = PooledTensor.CountElements(shape);
                using var builder = new PooledTensorBuilder(spec.DataType, (int)Math.Clamp(expected, 1, 1 << 20));
                var json = Encoding.UTF8.GetBytes(tensor.Data.ValueKind == JsonValueKind.Undefined ? "null" : tensor.Data.GetRawText());
                var reader = new Utf8JsonReader(json);
                reader.Read();
                var error = JsonTensorReader.ReadValue(ref reader, builder, true, out _);
                if (error is not null || builder.Count != expected)
                {
                    throw new ModelLoadException($"warmup input '{tensor.Name}': {error ?? $"shape [{string.Join(',', shape)}] needs {expected} elements, data has {builder.Count}"}");
                }

                inputs[index]?.Dispose();
                inputs[index] = builder.Build(spec.Name, shape);
            }

            for (var i = 0; i < inputs.Length; i++)
            {
                if (inputs[i] is null)
                {
                    throw new ModelLoadException($"warmup inputs do not include model input '{signature.Inputs[i].Name}'");
                }
            }

            return inputs;
        }
        catch
        {
            Dispose(inputs);
            throw;
        }
    }

    public static PooledTensor[] Zeros(ModelSignature signature)
    {
        var inputs = new PooledTensor[signature.Inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Zeros(signature.Inputs[i]);
        }

        return inputs;
    }

    public static void Dispose(PooledTensor?[] tensors)
    {
        foreach (var tensor in tensors)
        {
            tensor?.Dispose();
        }
    }

    private static PooledTensor Zeros(TensorSpec spec)
    {
        var shape = Array.ConvertAll(spec.Shape, d => d < 0 ? 1L : d);
        var count = (int)PooledTensor.CountElements(shape);
        if (spec.DataType == TensorDataType.Bytes)
        {
            var strings = ArrayPool<string>.Shared.Rent(Math.Max(1, count));
            strings.AsSpan(0, count).Fill(string.Empty);
            return PooledTensor.FromRentedStrings(spec.Name, shape, strings, count);
        }

        var bytes = count * spec.DataType.ElementSize();
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes));
        buffer.AsSpan(0, bytes).Clear();
        return PooledTensor.FromRentedBytes(spec.Name, spec.DataType, shape, buffer, bytes);
    }
}
