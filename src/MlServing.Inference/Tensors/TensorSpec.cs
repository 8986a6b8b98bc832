namespace MlServing.Inference.Tensors;

/// <summary>An input or output of a model as its ONNX metadata describes it. Dynamic dims are -1.</summary>
public sealed class TensorSpec
{
    private volatile string[]? _classes;
    private long[] _shape;

    public TensorSpec(string name, TensorDataType dataType, long[] shape, bool isMapSequence = false)
    {
        Name = name;
        DataType = dataType;
        _shape = shape;
        IsMapSequence = isMapSequence;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    /// <summary>For a map output: <c>[-1, -1]</c> until the first inference revealed its keys, then <c>[-1, classes]</c>.</summary>
    public long[] Shape => _shape;

    /// <summary>
    /// An ONNX sequence of maps (scikit-learn's ZipMap), served as a <c>[rows, classes]</c> tensor of the map's value
    /// type with the keys in <see cref="Classes"/> (ascending order).
    /// </summary>
    public bool IsMapSequence { get; }

    /// <summary>The keys of a map output, known once the model has answered (its warm-up does).</summary>
    public string[]? Classes => _classes;

    public int Rank => _shape.Length;

    public bool HasDynamicBatchDim => _shape.Length >= 1 && _shape[0] < 0;

    /// <summary>Elements in one row (product of dims 1..n) when they are all fixed, else -1.</summary>
    public long FixedRowElementCount
    {
        get
        {
            long count = 1;
            for (var i = 1; i < _shape.Length; i++)
            {
                if (_shape[i] < 0)
                {
                    return -1;
                }

                count *= _shape[i];
            }

            return count;
        }
    }

    /// <summary>Records the keys of a map output the first time they are seen; returns the keys in force.</summary>
    internal string[] RecordClasses(string[] classes)
    {
        if (_classes is { } known)
        {
            return known;
        }

        _shape = [-1, classes.Length];
        _classes = classes;
        return classes;
    }

    public override string ToString() =>
        $"{Name} {DataType.ToProtocolName()} [{string.Join(',', _shape)}]{(IsMapSequence ? " (sequence of maps)" : string.Empty)}";
}
