using System.Text.Json.Nodes;

namespace MlServing.Tests.Infrastructure;

/// <summary>A model's <c>reference.json</c>: inputs, the oracle's expected outputs, and the tolerance.</summary>
public sealed class ReferenceFile
{
    private ReferenceFile(JsonNode root) => Root = root;

    public JsonNode Root { get; }

    public JsonArray Inputs => Root["inputs"]!.AsArray();

    public double AbsoluteTolerance => Root["tolerance"]?["abs"]?.GetValue<double>() ?? 1e-5;

    public double RelativeTolerance => Root["tolerance"]?["rel"]?.GetValue<double>() ?? 1e-4;

    public static ReferenceFile Load(string path) => new(JsonNode.Parse(File.ReadAllText(path))!);

    /// <summary>Expected outputs for a version (reference.json may hold other_versions).</summary>
    public JsonArray OutputsFor(string? version) =>
        version is not null && Root["other_versions"]?[version]?["outputs"] is JsonArray other ? other : Root["outputs"]!.AsArray();

    public static double[] Flatten(JsonNode? node)
    {
        var values = new List<double>();
        Walk(node);
        return [.. values];

        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Walk(item);
                    }

                    break;
                case JsonValue value when value.TryGetValue<bool>(out var flag):
                    values.Add(flag ? 1 : 0);
                    break;
                case JsonValue value:
                    values.Add(value.GetValue<double>());
                    break;
            }
        }
    }

    /// <summary>Asserts <paramref name="actual"/> matches <paramref name="expected"/>: integers exactly, floats within tolerance.</summary>
    public void AssertClose(string what, string datatype, double[] expected, double[] actual)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        var exact = datatype is not ("FP16" or "FP32" or "FP64");
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = exact ? 0 : AbsoluteTolerance + (RelativeTolerance * Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= bound, $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (tolerance {bound})");
        }
    }
}
