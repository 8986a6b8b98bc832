namespace MlServing.Inference.Tensors;

/// <summary>Element types of the Open Inference Protocol; <see cref="Bytes"/> is ONNX's STRING.</summary>
public enum TensorDataType : byte
{
    Bool,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int8,
    Int16,
    Int32,
    Int64,
    Float16,
    Float32,
    Float64,
    Bytes,
}
