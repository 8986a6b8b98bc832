using System.Runtime.CompilerServices;

namespace MlServing.Inference.Tensors;

/// <summary>The dims a nested JSON array revealed while it was read, kept without allocating.</summary>
public struct NestedShape
{
    public const int MaxRank = 16;

    private Dims _dims;

    public int Rank { get; internal set; }

    public readonly long this[int index] => _dims[index];

    internal void Set(int index, long value) => _dims[index] = value;

    public readonly bool Matches(ReadOnlySpan<long> shape)
    {
        if (shape.Length != Rank)
        {
            return false;
        }

        for (var i = 0; i < Rank; i++)
        {
            if (_dims[i] != shape[i])
            {
                return false;
            }
        }

        return true;
    }

    public readonly long[] ToArray()
    {
        var result = new long[Rank];
        for (var i = 0; i < Rank; i++)
        {
            result[i] = _dims[i];
        }

        return result;
    }

    public override readonly string ToString()
    {
        var parts = new string[Rank];
        for (var i = 0; i < Rank; i++)
        {
            parts[i] = _dims[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(',', parts) + "]";
    }

    [InlineArray(MaxRank)]
    private struct Dims
    {
        private long _element;
    }
}
