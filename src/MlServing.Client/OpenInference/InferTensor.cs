using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlServing.Client.OpenInference;

/// <summary>
/// A named tensor of the Open Inference Protocol: datatype, shape and flat row-major data held as a typed array
/// (<c>float[]</c> for FP32, <c>long[]</c> for INT64, <c>string[]</c> for BYTES, …; see <see cref="InferDatatypes"/>).
/// </summary>
[JsonConverter(typeof(InferTensorJsonConverter))]
public sealed class InferTensor
{
    public InferTensor(string name, string datatype, long[] shape, Array data, Dictionary<string, JsonElement>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var expected = InferDatatypes.ElementType(datatype);
        if (data.GetType().GetElementType() != expected)
        {
            throw new ArgumentException($"datatype {datatype} holds {expected.Name}[] data, got {data.GetType().Name}", nameof(data));
        }

        Name = name;
        Datatype = datatype;
        Shape = shape;
        Data = data;
        Parameters = parameters;
    }

    public string Name { get; }

    /// <summary>BOOL, UINT8…UINT64, INT8…INT64, FP16, FP32, FP64 or BYTES.</summary>
    public string Datatype { get; }

    public long[] Shape { get; }

    /// <summary>The elements, flat in row-major order, as an array of the datatype's element type.</summary>
    public Array Data { get; }

    public Dictionary<string, JsonElement>? Parameters { get; }

    /// <summary>A tensor whose datatype follows from <typeparamref name="T"/> (float → FP32, long → INT64, string → BYTES, …).</summary>
    public static InferTensor Create<T>(string name, long[] shape, T[] data) => new(name, InferDatatypes.Of(typeof(T)), shape, data);

    /// <summary>The data as <typeparamref name="T"/>[] (the datatype's element type).</summary>
    public T[] Values<T>() => Data as T[] ?? throw new InvalidOperationException($"tensor '{Name}' is {Datatype} ({Data.GetType().Name}), not {typeof(T).Name}[]");

    /// <summary>The names in <c>parameters.classes</c> (a map output's keys, one per column), when the server sent them.</summary>
    public string[]? Classes
    {
        get
        {
            if (Parameters is null || !Parameters.TryGetValue("classes", out var classes) || classes.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var names = new string[classes.GetArrayLength()];
            var i = 0;
            foreach (var item in classes.EnumerateArray())
            {
                names[i++] = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
            }

            return names;
        }
    }
}
