using System.Diagnostics.CodeAnalysis;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlServing.Inference.Tensors;

public static class TensorDataTypes
{
    private static readonly string[] ProtocolNames =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"];

    public static IReadOnlyList<string> AllProtocolNames => ProtocolNames;

    public static string ToProtocolName(this TensorDataType type) => ProtocolNames[(int)type];

    public static bool TryParse(ReadOnlySpan<char> name, out TensorDataType type)
    {
        for (var i = 0; i < ProtocolNames.Length; i++)
        {
            if (name.Equals(ProtocolNames[i], StringComparison.OrdinalIgnoreCase))
            {
                type = (TensorDataType)i;
                return true;
            }
        }

        // ONNX spells the string type STRING; accept it as an alias for BYTES.
        if (name.Equals("STRING", StringComparison.OrdinalIgnoreCase))
        {
            type = TensorDataType.Bytes;
            return true;
        }

        type = default;
        return false;
    }

    /// <summary>Bytes per element; 0 for <see cref="TensorDataType.Bytes"/>, which is stored as strings.</summary>
    public static int ElementSize(this TensorDataType type) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 or TensorDataType.Int8 => 1,
        TensorDataType.UInt16 or TensorDataType.Int16 or TensorDataType.Float16 => 2,
        TensorDataType.UInt32 or TensorDataType.Int32 or TensorDataType.Float32 => 4,
        TensorDataType.UInt64 or TensorDataType.Int64 or TensorDataType.Float64 => 8,
        _ => 0,
    };

    public static bool IsNumeric(this TensorDataType type) => type is not (TensorDataType.Bool or TensorDataType.Bytes);

    public static bool IsNumericOrBool(this TensorDataType type) => type != TensorDataType.Bytes;

    public static bool IsFloatingPoint(this TensorDataType type) =>
        type is TensorDataType.Float16 or TensorDataType.Float32 or TensorDataType.Float64;

    public static bool IsInteger(this TensorDataType type) => type.IsNumeric() && !type.IsFloatingPoint();

    /// <summary>Whether data a client declared as <paramref name="from"/> can be decoded into <paramref name="to"/>.</summary>
    public static bool IsConvertibleTo(this TensorDataType from, TensorDataType to) =>
        from == to || (from.IsNumeric() && to.IsNumeric());

    public static TensorElementType ToOrt(this TensorDataType type) => type switch
    {
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.UInt16 => TensorElementType.UInt16,
        TensorDataType.UInt32 => TensorElementType.UInt32,
        TensorDataType.UInt64 => TensorElementType.UInt64,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int16 => TensorElementType.Int16,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.Float16 => TensorElementType.Float16,
        TensorDataType.Float32 => TensorElementType.Float,
        TensorDataType.Float64 => TensorElementType.Double,
        _ => TensorElementType.String,
    };

    public static bool TryFromOrt(TensorElementType type, [NotNullWhen(true)] out TensorDataType? result)
    {
        result = type switch
        {
            TensorElementType.Bool => TensorDataType.Bool,
            TensorElementType.UInt8 => TensorDataType.UInt8,
            TensorElementType.UInt16 => TensorDataType.UInt16,
            TensorElementType.UInt32 => TensorDataType.UInt32,
            TensorElementType.UInt64 => TensorDataType.UInt64,
            TensorElementType.Int8 => TensorDataType.Int8,
            TensorElementType.Int16 => TensorDataType.Int16,
            TensorElementType.Int32 => TensorDataType.Int32,
            TensorElementType.Int64 => TensorDataType.Int64,
            TensorElementType.Float16 => TensorDataType.Float16,
            TensorElementType.Float => TensorDataType.Float32,
            TensorElementType.Double => TensorDataType.Float64,
            TensorElementType.String => TensorDataType.Bytes,
            _ => null,
        };
        return result is not null;
    }
}
