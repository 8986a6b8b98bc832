namespace MlServing.Inference.Tensors;

/// <summary>
/// An ONNX <c>sequence(map(K, V))</c> value, as scikit-learn converters emit for class probabilities
/// (ZipMap). One map per row; keys are kept as text because JSON object keys are text.
/// </summary>
public sealed class MapSequence
{
    public MapSequence(KeyValuePair<string, double>[][] rows) => Rows = rows;

    public KeyValuePair<string, double>[][] Rows { get; }

    public int Count => Rows.Length;
}
