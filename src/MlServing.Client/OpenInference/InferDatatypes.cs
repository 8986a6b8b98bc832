namespace MlServing.Client.OpenInference;

/// <summary>The Open Inference Protocol datatypes and the .NET element type that holds each.</summary>
public static class InferDatatypes
{
    private static readonly (string Name, Type Type)[] Table =
    [
        ("BOOL", typeof(bool)),
        ("UINT8", typeof(byte)),
        ("UINT16", typeof(ushort)),
        ("UINT32", typeof(uint)),
        ("UINT64", typeof(ulong)),
        ("INT8", typeof(sbyte)),
        ("INT16", typeof(short)),
        ("INT32", typeof(int)),
        ("INT64", typeof(long)),
        ("FP16", typeof(Half)),
        ("FP32", typeof(float)),
        ("FP64", typeof(double)),
        ("BYTES", typeof(string)),
    ];

    /// <summary>The element type of <paramref name="datatype"/>'s data array.</summary>
    public static Type ElementType(string datatype)
    {
        foreach (var (name, type) in Table)
        {
            if (name == datatype)
            {
                return type;
            }
        }

        throw new ArgumentException($"'{datatype}' is not an Open Inference Protocol datatype", nameof(datatype));
    }

    /// <summary>The datatype whose data is an array of <paramref name="elementType"/>.</summary>
    public static string Of(Type elementType)
    {
        foreach (var (name, type) in Table)
        {
            if (type == elementType)
            {
                return name;
            }
        }

        throw new ArgumentException($"{elementType.Name} is not the element type of an Open Inference Protocol datatype", nameof(elementType));
    }
}
