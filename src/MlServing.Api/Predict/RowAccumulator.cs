using System.Text.Json;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Predict;

/// <summary>
/// Collects the rows of one model input: each row must match the input's dims after the batch dim (fixed
/// dims exactly, dynamic dims as the first row set them), so the rows stack into one batch-first tensor.
/// </summary>
internal sealed class RowAccumulator : IDisposable
{
    private readonly TensorSpec _spec;
    private long[]? _rowShape;

    public RowAccumulator(TensorSpec spec)
    {
        _spec = spec;
        var width = spec.FixedRowElementCount;
        Builder = new PooledTensorBuilder(spec.DataType, (int)Math.Clamp(width > 0 ? width : 64, 4, 1 << 20));
    }

    public PooledTensorBuilder Builder { get; }

    public int Rows { get; private set; }

    /// <summary>Reads one row at the reader's position; returns an error message or null.</summary>
    public string? AddRow(ref Utf8JsonReader reader, bool allowNonFinite)
    {
        Builder.Origin = Builder.Count;
        var error = JsonTensorReader.ReadValue(ref reader, Builder, allowNonFinite, out var shape);
        return error ?? AcceptShape(shape);
    }

    /// <summary>Accounts for a row whose elements the caller appended itself (named features).</summary>
    public void AddAppendedRow(long width)
    {
        _rowShape ??= [width];
        Rows++;
    }

    private string? AcceptShape(in NestedShape shape)
    {
        var rowRank = _spec.Rank - 1;
        if (shape.Rank != rowRank || !FixedDimsMatch(shape))
        {
            return Describe(shape);
        }

        if (_rowShape is null)
        {
            _rowShape = shape.ToArray();
        }
        else if (!shape.Matches(_rowShape))
        {
            return $"rows must all have the same shape: row 0 has [{string.Join(',', _rowShape)}], this row has {shape}";
        }

        for (var i = 0; i < shape.Rank; i++)
        {
            if (shape[i] == 0)
            {
                return $"dimension {i + 1} is empty";
            }
        }

        Rows++;
        return null;
    }

    private bool FixedDimsMatch(in NestedShape shape)
    {
        for (var i = 0; i < shape.Rank; i++)
        {
            var expected = _spec.Shape[i + 1];
            if (expected >= 0 && expected != shape[i])
            {
                return false;
            }
        }

        return true;
    }

    private string Describe(in NestedShape shape)
    {
        if (_spec.Rank == 2 && _spec.Shape[1] >= 0)
        {
            return shape.Rank == 1
                ? $"expected {_spec.Shape[1]} features, got {shape[0]}"
                : $"expected an array of {_spec.Shape[1]} features, got a value of shape {shape}";
        }

        var expected = string.Join(',', _spec.Shape.Skip(1).Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return $"expected a row of shape [{expected}] for input '{_spec.Name}', got {shape}";
    }

    public PooledTensor Build()
    {
        var shape = new long[_spec.Rank];
        shape[0] = Rows;
        for (var i = 1; i < shape.Length; i++)
        {
            shape[i] = _rowShape?[i - 1] ?? _spec.Shape[i];
        }

        return Builder.Build(_spec.Name, shape);
    }

    public void Dispose() => Builder.Dispose();
}
