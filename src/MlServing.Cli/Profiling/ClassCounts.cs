using System.Globalization;
using MlServing.Inference.Tensors;

namespace MlServing.Cli.Profiling;

/// <summary>How often a classifier output predicted each class (its class-index or class-name output, one value per row).</summary>
internal sealed class ClassCounts
{
    private readonly string[]? _labels;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public ClassCounts(string name, string[]? labels)
    {
        Name = name;
        _labels = labels;
        foreach (var label in labels ?? [])
        {
            _counts[label] = 0;
        }
    }

    public string Name { get; }

    /// <summary>Whether an output is a predicted class per row: integers (class indices) or strings (class names), rank 1.</summary>
    public static bool IsClassOutput(PooledTensor output) => output.Shape.Length == 1 && (output.DataType.IsInteger() || output.DataType == TensorDataType.Bytes);

    public void Add(PooledTensor output)
    {
        var rows = (int)output.Shape[0];
        for (var r = 0; r < rows; r++)
        {
            var name = output.DataType == TensorDataType.Bytes ? output.Strings[r] : ClassName(output.ReadInteger(r));
            _counts[name] = _counts.GetValueOrDefault(name) + 1;
        }
    }

    /// <summary>Each class's share of <paramref name="rows"/>, labels in configured order, other classes after them in order.</summary>
    public Dictionary<string, double> Shares(long rows)
    {
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var label in _labels ?? [])
        {
            shares[label] = (double)_counts[label] / rows;
        }

        foreach (var (name, count) in _counts.OrderBy(c => long.TryParse(c.Key, out var n) ? n : long.MaxValue).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            shares.TryAdd(name, (double)count / rows);
        }

        return shares;
    }

    private string ClassName(long index) =>
        _labels is not null && index >= 0 && index < _labels.Length ? _labels[index] : index.ToString(CultureInfo.InvariantCulture);
}
