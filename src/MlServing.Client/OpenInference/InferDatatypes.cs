namespace MlServing.Client.OpenInference;

/// <summary>The Open Inference Protocol datatypes and the .NET element type that holds each.</summary>
public static class InferDatatypes
{
    private static readonly (string Name, Type Type, int Size)[] Table =
    [
        ("BOOL", typeof(bool), 1),
        ("UINT8", typeof(byte), 1),
        ("UINT16", typeof(ushort), 2),
        ("UINT32", typeof(uint), 4),
        ("UINT64", typeof(ulong), 8),
        ("INT8", typeof(sbyte), 1),
        ("INT16", typeof(short), 2),
        ("INT32", typeof(int), 4),
        ("INT64", typeof(long), 8),
        ("FP16", typeof(Half), 2),
        ("FP32", typeof(float), 4),
        ("FP64", typeof(double), 8),
        ("BYTES", typeof(string), 0),
    ];

    /// <summary>The element type of <paramref name="datatype"/>'s data array.</summary>
    public static Type ElementType(string datatype) => Find(datatype).Type;

    /// <summary>Bytes per element of <paramref name="datatype"/> in raw (binary and gRPC) data; 0 for BYTES, whose elements are length-prefixed.</summary>
    public static int ElementSize(string datatype) => Find(datatype).Size;

    /// <summary>The datatype whose data is an array of <paramref name="elementType"/>.</summary>
    public static string Of(Type elementType)
    {
        foreach (var (name, type, _) in Table)
        {
            if (type == elementType)
            {
                return name;
            }
        }

        throw new ArgumentException($"{elementType.Name} is not the element type of an Open Inference Protocol datatype", nameof(elementType));
    }

    private static (string Name, Type Type, int Size) Find(string datatype)
    {
        foreach (var entry in Table)
        {
            if (entry.Name == datatype)
            {
                return entry;
            }
        }

        throw new ArgumentException($"'{datatype}' is not an Open Inference Protocol datatype", nameof(datatype));
    }
}
