using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.SharedModels;

/// <summary>
/// Every model of the shared reference repository (../shared/models, present in CI) served through both APIs
/// and checked against its reference.json: scikit-learn's own outputs, or ONNX Runtime's for the npm models.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SharedRepositoryOracleTests
{
    private static string SharedRoot => SharedModelRepository.RequiredRoot;

    /// <summary>A copy of the shared repository that serves every version (breast-cancer-logreg has two).</summary>
    internal static TestRepository AllVersionsCopy()
    {
        var repo = new TestRepository();
        foreach (var model in Directory.GetDirectories(SharedRoot))
        {
            var name = Path.GetFileName(model);
            repo.AddModelFolder(SharedRoot, name);
            var configPath = Path.Combine(repo.Path, name, "config.json");
            var config = File.Exists(configPath) ? JsonNode.Parse(File.ReadAllText(configPath))!.AsObject() : [];
            config["versionPolicy"] = new JsonObject { ["all"] = true };
            File.WriteAllText(configPath, config.ToJsonString());
        }

        return repo;
    }

    private static IEnumerable<(string Model, string? Version, ReferenceFile Reference)> Cases()
    {
        foreach (var model in Directory.GetDirectories(SharedRoot).Order(StringComparer.Ordinal))
        {
            var referencePath = Path.Combine(model, "reference.json");
            if (!File.Exists(referencePath))
            {
                continue;
            }

            var reference = ReferenceFile.Load(referencePath);
            var name = Path.GetFileName(model);
            var versions = Directory.GetDirectories(model).Select(Path.GetFileName).Where(v => long.TryParse(v, out _)).ToArray();
            foreach (var version in versions)
            {
                yield return (name, version, reference);
            }
        }
    }

    [SharedModelsFact]
    public async Task EveryModel_ThroughOpenInferenceProtocol_MatchesItsReference()
    {
        using var repo = AllVersionsCopy();
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        var checkedModels = new HashSet<string>();
        foreach (var (model, version, reference) in Cases())
        {
            var request = new JsonObject { ["id"] = $"{model}-{version}", ["inputs"] = JsonNode.Parse(reference.Inputs.ToJsonString()) };
            var body = await (await client.PostJsonAsync($"/v2/models/{model}/versions/{version}/infer", request)).ExpectAsync(200);
            Assert.Equal($"{model}-{version}", body["id"]!.GetValue<string>());
            var outputs = body["outputs"]!.AsArray();
            foreach (var expected in reference.OutputsFor(version == "1" && model == "breast-cancer-logreg" ? "1" : null))
            {
                var name = expected!["name"]!.GetValue<string>();
                var actual = outputs.Single(o => o!["name"]!.GetValue<string>() == name)!;
                Assert.Equal(expected["shape"]!.ToJsonString(), actual["shape"]!.ToJsonString());
                reference.AssertClose($"{model}/{version} {name}", expected["datatype"]!.GetValue<string>(), ReferenceFile.Flatten(expected["data"]), ReferenceFile.Flatten(actual["data"]));
            }

            checkedModels.Add(model);
        }

        Assert.True(checkedModels.Count >= 7, $"only {checkedModels.Count} shared models were checked: {string.Join(", ", checkedModels)}");
    }

    [SharedModelsFact]
    public async Task EveryModel_ThroughPredict_MatchesItsReference()
    {
        using var repo = AllVersionsCopy();
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        var checkedModels = 0;
        foreach (var (model, version, reference) in Cases())
        {
            var served = factory.Repository.Find(model, version).Version!;
            var signature = served.Signature;
            var labels = served.Labels;
            var inputs = reference.Inputs;
            JsonObject request;
            int rows;
            if (signature.IsBatchable && signature.Inputs.Length == 1)
            {
                var shape = Shape(inputs[0]!);
                rows = (int)shape[0];
                var perRow = ReferenceFile.Flatten(inputs[0]!["data"]);
                var rowShape = shape[1..];
                var rowSize = perRow.Length / rows;
                var instances = new JsonArray();
                for (var r = 0; r < rows; r++)
                {
                    instances.Add(Nest(perRow.AsSpan(r * rowSize, rowSize).ToArray(), rowShape));
                }

                request = new JsonObject { ["model"] = model, ["version"] = version, ["instances"] = instances };
            }
            else
            {
                var named = new JsonObject();
                foreach (var input in inputs)
                {
                    named[input!["name"]!.GetValue<string>()] = Nest(ReferenceFile.Flatten(input["data"]), Shape(input));
                }

                rows = -1;
                request = new JsonObject { ["model"] = model, ["version"] = version, ["inputs"] = named };
            }

            var body = await (await client.PostJsonAsync("/predict", request)).ExpectAsync(200);
            Assert.Equal(version, body["version"]!.GetValue<string>());
            var predictions = body["predictions"]!.AsArray();
            foreach (var expected in reference.OutputsFor(version == "1" && model == "breast-cancer-logreg" ? "1" : null))
            {
                var name = expected!["name"]!.GetValue<string>();
                var datatype = expected["datatype"]!.GetValue<string>();
                var want = ReferenceFile.Flatten(expected["data"]);
                var got = rows < 0
                    ? ReferenceFile.Flatten(predictions.Single()![name])
                    : [.. predictions.SelectMany(p => Decode(p![name]!, labels))];
                reference.AssertClose($"/predict {model}/{version} {name}", datatype, want, got);
            }

            checkedModels++;
        }

        Assert.True(checkedModels >= 8, $"only {checkedModels} shared model versions were checked");
    }

    /// <summary>Turns a prediction value back into numbers: label names to indices, {label: p} maps to vectors.</summary>
    private static IEnumerable<double> Decode(JsonNode value, string[]? labels) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var label) && labels is not null => [Array.IndexOf(labels, label)],
        JsonObject map when labels is not null => labels.Select(l => map[l]!.GetValue<double>()),
        _ => ReferenceFile.Flatten(value),
    };

    private static long[] Shape(JsonNode tensor) => [.. tensor["shape"]!.AsArray().Select(d => d!.GetValue<long>())];

    private static JsonNode Nest(double[] flat, ReadOnlySpan<long> shape)
    {
        if (shape.IsEmpty)
        {
            return JsonValue.Create(flat[0]);
        }

        var inner = flat.Length / (int)shape[0];
        var array = new JsonArray();
        for (var i = 0; i < shape[0]; i++)
        {
            array.Add(Nest(flat.AsSpan(i * inner, inner).ToArray(), shape[1..]));
        }

        return array;
    }
}
