using MlServing.Inference.Tensors;

namespace MlServing.Cli.Scoring;

internal static class EmptyTensors
{
    /// <summary>A [0, …] tensor of <paramref name="type"/> with the row shape of <paramref name="shape"/> (dynamic dims as 1).</summary>
    public static PooledTensor Create(string name, TensorDataType type, long[] shape, string[]? classes)
    {
        var dims = new long[Math.Max(1, shape.Length)];
        for (var d = 1; d < dims.Length; d++)
        {
            dims[d] = d == 1 && classes is not null ? classes.Length : Math.Max(1, shape[d]);
        }

        using var builder = new PooledTensorBuilder(type);
        return builder.Build(name, dims, classes);
    }
}
