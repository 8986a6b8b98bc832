namespace MlServing.Inference.Tensors;

/// <summary>An input or output of a model as its ONNX metadata describes it. Dynamic dims are -1.</summary>
public sealed class TensorSpec
{
    public TensorSpec(string name, TensorDataType dataType, long[] shape, string? nonTensorType = null)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        NonTensorType = nonTensorType;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public long[] Shape { get; }

    /// <summary>Set for ONNX sequence/map values (e.g. <c>seq(map(string,float))</c>); null for tensors.</summary>
    public string? NonTensorType { get; }

    public bool IsTensor => NonTensorType is null;

    public int Rank => Shape.Length;

    public bool HasDynamicBatchDim => IsTensor && Shape.Length >= 1 && Shape[0] < 0;

    /// <summary>Elements in one row (product of dims 1..n) when they are all fixed, else -1.</summary>
    public long FixedRowElementCount
    {
        get
        {
            long count = 1;
            for (var i = 1; i < Shape.Length; i++)
            {
                if (Shape[i] < 0)
                {
                    return -1;
                }

                count *= Shape[i];
            }

            return count;
        }
    }

    public string ProtocolDataType => IsTensor ? DataType.ToProtocolName() : "BYTES";

    public override string ToString() => $"{Name} {ProtocolDataType} [{string.Join(',', Shape)}]";
}
