using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Predict;

/// <summary>The bundled sample model answers what scikit-learn itself computed (models/wine-classifier/reference.json).</summary>
[Collection(ServerCollection.Name)]
public sealed class SampleModelTests
{
    private static readonly ReferenceFile Reference = ReferenceFile.Load(Path.Combine(TestRepository.SamplesPath, "wine-classifier", "reference.json"));

    [Fact]
    public async Task Predict_PositionalRows_MatchScikitLearnOracle()
    {
        await using var factory = new MlServingFactory(TestRepository.SamplesPath);
        var client = await factory.StartAsync();
        var input = Reference.Inputs[0]!;
        var data = ReferenceFile.Flatten(input["data"]);
        var width = input["shape"]![1]!.GetValue<int>();
        var instances = new JsonArray();
        for (var row = 0; row < data.Length / width; row++)
        {
            instances.Add(new JsonArray([.. data.Skip(row * width).Take(width).Select(v => (JsonNode?)v)]));
        }

        var body = await (await client.PostJsonAsync("/predict", new JsonObject { ["instances"] = instances })).ExpectAsync(200);

        var labels = new[] { "class_0", "class_1", "class_2" };
        var expectedLabels = ReferenceFile.Flatten(Reference.OutputsFor(null).First(o => o!["name"]!.GetValue<string>() == "label")!["data"]);
        var expectedProbabilities = ReferenceFile.Flatten(Reference.OutputsFor(null).First(o => o!["name"]!.GetValue<string>() == "probabilities")!["data"]);
        var predictions = body["predictions"]!.AsArray();
        Assert.Equal(expectedLabels.Length, predictions.Count);
        Assert.Equal("wine-classifier", body["model"]!.GetValue<string>());
        Assert.Equal("1", body["version"]!.GetValue<string>());
        for (var row = 0; row < predictions.Count; row++)
        {
            Assert.Equal(labels[(int)expectedLabels[row]], predictions[row]!["label"]!.GetValue<string>());
            var probabilities = labels.Select(l => predictions[row]!["probabilities"]![l]!.GetValue<double>()).ToArray();
            Reference.AssertClose($"row {row} probabilities", "FP32", expectedProbabilities.Skip(row * 3).Take(3).ToArray(), probabilities);
        }
    }

    [Fact]
    public async Task Predict_NamedFeaturesInAnyOrder_MatchPositionalAnswer()
    {
        await using var factory = new MlServingFactory(TestRepository.SamplesPath);
        var client = await factory.StartAsync();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(TestRepository.SamplesPath, "wine-classifier", "config.json")))!;
        var features = config["features"]!.AsArray().Select(f => f!.GetValue<string>()).ToArray();
        var row = ReferenceFile.Flatten(Reference.Inputs[0]!["data"]).Take(features.Length).ToArray();
        var named = new JsonObject();
        foreach (var i in Enumerable.Range(0, features.Length).Reverse())
        {
            named[features[i]] = row[i];
        }

        var positional = await (await client.PostJsonAsync("/predict", new JsonObject { ["instances"] = new JsonArray(new JsonArray([.. row.Select(v => (JsonNode?)v)])) })).ExpectAsync(200);
        var byName = await (await client.PostJsonAsync("/predict", new JsonObject { ["model"] = "wine-classifier", ["instances"] = new JsonArray(named) })).ExpectAsync(200);

        Assert.Equal(positional["predictions"]!.ToJsonString(), byName["predictions"]!.ToJsonString());
    }
}
