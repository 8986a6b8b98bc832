using System.Text.Json;
using MlServing.Api.Errors;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>Decodes validated OIP tensors (flat or nested <c>data</c>) into the model's typed buffers.</summary>
internal static class InferDecoder
{
    public static (InferenceRequest? Request, ApiError? Error) Decode(InferRequest request, ModelVersion model)
    {
        var signature = model.Signature;
        var inputs = new PooledTensor[signature.Inputs.Length];
        try
        {
            foreach (var input in request.Inputs)
            {
                var index = signature.IndexOfInput(input.Name);
                var spec = signature.Inputs[index];
                var expected = PooledTensor.CountElements(input.Shape);
                using var builder = new PooledTensorBuilder(spec.DataType, (int)Math.Clamp(expected, 4, Math.Max(4, Math.Min(1 << 20, input.Data.Length))));
                var reader = new Utf8JsonReader(request.Slice(input.Data));
                reader.Read();
                var error = JsonTensorReader.ReadValue(ref reader, builder, model.AllowNonFinite, out _);
                if (error is null && builder.Count != expected)
                {
                    error = $"shape [{string.Join(',', input.Shape)}] needs {expected} elements, data has {builder.Count}";
                }

                if (error is not null)
                {
                    DisposeAll(inputs);
                    return (null, ApiError.Invalid($"inputs[{input.Index}].data", error));
                }

                inputs[index] = builder.Build(spec.Name, input.Shape);
            }

            var rows = inputs[0].Shape.Length > 0 ? (int)inputs[0].Shape[0] : 1;
            return (new InferenceRequest(inputs, SelectOutputs(request, model), rows), null);
        }
        catch
        {
            DisposeAll(inputs);
            throw;
        }
    }

    private static int[] SelectOutputs(InferRequest request, ModelVersion model)
    {
        if (request.Outputs is not { Count: > 0 } names)
        {
            return model.Session.AllOutputs;
        }

        var indices = new int[names.Count];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = model.Signature.IndexOfOutput(names[i]);
        }

        return indices;
    }

    private static void DisposeAll(PooledTensor[] tensors)
    {
        foreach (var tensor in tensors)
        {
            tensor?.Dispose();
        }
    }
}
