using System.Numerics;
using System.Runtime.CompilerServices;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Monitoring;

/// <summary>
/// One profiled column of the model's 2-D input: its bins and reference shares, and where its counters sit in the
/// window. Values are compared in the input's own precision (an FP32 input against FP32 edges), so a training value
/// that sits on an edge lands in the same bin here as it did when the profile was built.
/// </summary>
internal sealed class FeatureBins
{
    private readonly double[] _edges;
    private readonly float[] _edges32;

    public FeatureBins(string name, int column, double[] edges, double[] expected, int firstCell)
    {
        Name = name;
        Column = column;
        _edges = edges;
        _edges32 = Array.ConvertAll(edges, e => (float)e);
        Expected = expected;
        FirstCell = firstCell;
    }

    public string Name { get; }

    public int Column { get; }

    /// <summary>Reference share per bin.</summary>
    public double[] Expected { get; }

    public int FirstCell { get; }

    public int Bins => _edges.Length + 1;

    /// <summary>Counts column <see cref="Column"/> of every row of <paramref name="input"/> (<c>[rows, width]</c>) into <paramref name="cells"/>.</summary>
    public void Count(PooledTensor input, int rows, int width, Span<long> cells)
    {
        var bins = cells.Slice(FirstCell, Bins);
        switch (input.DataType)
        {
            case TensorDataType.Float32:
                var floats = input.AsSpan<float>();
                for (var r = 0; r < rows; r++)
                {
                    var value = floats[(r * width) + Column];
                    if (!float.IsNaN(value))
                    {
                        bins[Bin(_edges32, value)]++;
                    }
                }

                break;
            case TensorDataType.Float64:
                var doubles = input.AsSpan<double>();
                for (var r = 0; r < rows; r++)
                {
                    var value = doubles[(r * width) + Column];
                    if (!double.IsNaN(value))
                    {
                        bins[Bin(_edges, value)]++;
                    }
                }

                break;
            default:
                for (var r = 0; r < rows; r++)
                {
                    var value = input.ReadDouble((r * width) + Column);
                    if (!double.IsNaN(value))
                    {
                        bins[Bin(_edges, value)]++;
                    }
                }

                break;
        }
    }

    /// <summary>
    /// The bin <c>(e[i-1], e[i]]</c> holding <paramref name="value"/>: the first edge it does not exceed, which for
    /// ascending edges is the number of edges below it. Counted without branches: a binary search over a profile's ~10
    /// edges mispredicts most of its branches on real data, and this runs for every feature of every row.
    /// </summary>
    public static int Bin<T>(T[] edges, T value)
        where T : IComparisonOperators<T, T, bool>
    {
        var below = 0;
        foreach (var edge in edges)
        {
            below += Unsafe.BitCast<bool, byte>(edge < value);
        }

        return below;
    }
}
