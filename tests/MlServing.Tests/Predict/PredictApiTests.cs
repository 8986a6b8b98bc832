using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Predict;

/// <summary>
/// <c>POST /predict</c> over the fixture models (tests/MlServing.Tests/Fixtures/models/README.md documents their math):
/// rows by position and by name, named input tensors, exact integer and double values, strings, sequence-of-map
/// outputs, <c>labels</c> mapping, fixed and scalar inputs, model and version selection.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PredictApiTests : IClassFixture<PredictApiTests.FixtureServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _client;

    public PredictApiTests(FixtureServer server) => _client = server.Client;

    /// <summary>One server for the read-only tests: every fixture model under its own name, plus labelled copies.</summary>
    public sealed class FixtureServer() : SharedServer(
        new TestRepository()
                .AddFixture("multi-input")
                .AddFixture("fp64-regressor")
                .AddFixture("int64-math")
                .AddFixture("string-labels")
                .AddFixture("string-lookup")
                .AddFixture("zipmap-classifier")
                .AddFixture("zipmap-int-classifier")
                .AddFixture("fixed-batch")
                .AddFixture("scalar-scale")
                .AddFixture("dynamic-hw")
                .AddFixture("identity-fp32")
                .AddFixture("zipmap-classifier", "zipmap-labelled")
                .WithConfig("zipmap-labelled", """{"labels": ["alpha", "beta", "gamma"]}""")
                .AddFixture("identity-fp32", "two-class-scores")
                .WithConfig("two-class-scores", """{"labels": ["negative", "positive"]}""")
                .AddFixture("identity-fp32", "three-labels-two-columns")
                .WithConfig("three-labels-two-columns", """{"labels": ["a", "b", "c"]}""")
                .AddFixture("int64-math", "int-labelled")
                .WithConfig("int-labelled", """{"labels": ["zero", "one", "two", "three", "four", "five", "six"]}"""))
    {
    }

    private async Task<JsonNode> PredictAsync(string body, int status = 200) =>
        await (await _client.PostJsonAsync("/predict", body).WaitAsync(Timeout)).ExpectAsync(status);

    private static JsonArray Predictions(JsonNode body) => body["predictions"]!.AsArray();

    private static double[] Doubles(JsonNode? node) => [.. node!.AsArray().Select(v => v!.GetValue<double>())];

    // ---- multi-input ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Predict_MultiInputViaInputs_ReturnsSumAndProductPerRow()
    {
        var body = await PredictAsync("""{"model":"multi-input","inputs":{"a":[[1,2,3],[4,5,6]],"b":[[10,20,30],[0.5,0.5,-2]]}}""");

        var predictions = Predictions(body);
        Assert.Equal(2, predictions.Count);
        Assert.Equal([11, 22, 33], Doubles(predictions[0]!["sum"]));
        Assert.Equal([10, 40, 90], Doubles(predictions[0]!["product"]));
        Assert.Equal([4.5, 5.5, 4], Doubles(predictions[1]!["sum"]));
        Assert.Equal([2, 2.5, -12], Doubles(predictions[1]!["product"]));
        Assert.Equal("multi-input", body["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Predict_MultiInputViaInstanceObjectsKeyedByInputName_MatchesInputsForm()
    {
        var byInputs = await PredictAsync("""{"model":"multi-input","inputs":{"a":[[1,2,3],[4,5,6]],"b":[[10,20,30],[0.5,0.5,-2]]}}""");
        var byRows = await PredictAsync("""{"model":"multi-input","instances":[{"a":[1,2,3],"b":[10,20,30]},{"b":[0.5,0.5,-2],"a":[4,5,6]}]}""");

        Assert.Equal(byInputs["predictions"]!.ToJsonString(), byRows["predictions"]!.ToJsonString());
        Assert.Equal([4.5, 5.5, 4], Doubles(Predictions(byRows)[1]!["sum"]));
    }

    [Fact]
    public async Task Predict_MultiInputRowMissingAnInput_Returns400NamingTheRowAndInput()
    {
        var body = await PredictAsync("""{"model":"multi-input","instances":[{"a":[1,2,3],"b":[1,1,1]},{"a":[1,2,3]}]}""", 400);

        var messages = body["errors"]!["instances[1]"]!.ToJsonString();
        Assert.Contains("b", messages);
    }

    [Fact]
    public async Task Predict_MultiInputPositionalRow_Returns400NamingTheRow()
    {
        var body = await PredictAsync("""{"model":"multi-input","instances":[[1,2,3]]}""", 400);

        Assert.NotNull(body["errors"]!["instances[0]"]);
    }

    [Fact]
    public async Task Predict_MultiInputViaInputsWithDifferentRowCounts_Returns400NamingInputs()
    {
        // ONNX Runtime would broadcast [1,3] against [2,3]; rows of a batchable model must line up instead.
        var body = await PredictAsync("""{"model":"multi-input","inputs":{"a":[[1,2,3],[4,5,6]],"b":[[10,20,30]]}}""", 400);

        var messages = body["errors"]!["inputs"]![0]!.GetValue<string>();
        Assert.Contains("'a' has 2", messages);
        Assert.Contains("'b' has 1", messages);
    }

    // ---- exact numeric types -----------------------------------------------------------------------------

    [Fact]
    public async Task Predict_Fp64Regressor_KeepsDoublePrecision()
    {
        // 2·1e10 + 3·1 + 0.5 = 20000000003.5 is exact in FP64 but would round to 2e10 in FP32.
        var body = await PredictAsync("""{"model":"fp64-regressor","instances":[[1e10,1],[1.5,-2.25],[0,0]]}""");

        var predictions = Predictions(body);
        Assert.Equal(3, predictions.Count);
        Assert.Equal([20000000003.5], Doubles(predictions[0]!["y"]));
        Assert.Equal([-3.25], Doubles(predictions[1]!["y"]));
        Assert.Equal([0.5], Doubles(predictions[2]!["y"]));
    }

    [Fact]
    public async Task Predict_Fp64RegressorWithFractions_MatchesTheMathToDoublePrecision()
    {
        var body = await PredictAsync("""{"model":"fp64-regressor","instances":[[0.1,0.2]]}""");

        var y = Doubles(Predictions(body)[0]!["y"]);
        Assert.Single(y);
        Assert.True(Math.Abs(y[0] - ((2 * 0.1) + (3 * 0.2) + 0.5)) < 1e-12, $"got {y[0]}");
    }

    [Fact]
    public async Task Predict_Int64Math_IsExactBeyondDoublePrecision()
    {
        // 2^53 + 1 cannot be represented as a double: any detour through floating point changes `doubled`.
        // (`total` stays below 2^53: ONNX Runtime's CPU ReduceSum itself accumulates integers in double.)
        var body = await PredictAsync("""{"model":"int64-math","instances":[[9007199254740993,-3,4],[4503599627370495,-1,3]]}""");

        var predictions = Predictions(body);
        Assert.Equal("[18014398509481986,-6,8]", predictions[0]!["doubled"]!.ToJsonString());
        Assert.Equal("[9007199254740990,-2,6]", predictions[1]!["doubled"]!.ToJsonString());
        Assert.Equal(4503599627370497L, predictions[1]!["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task Predict_Int64MathWithFractionalValue_Returns400NamingTheRow()
    {
        var body = await PredictAsync("""{"model":"int64-math","instances":[[1,2,3],[1.5,2,3]]}""", 400);

        Assert.NotNull(body["errors"]!["instances[1]"]);
    }

    // ---- strings ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Predict_StringLabels_EncodesEachStringAndEchoesIt()
    {
        var body = await PredictAsync("""{"model":"string-labels","instances":["cat","dog","bird","fish"]}""");

        var predictions = Predictions(body);
        Assert.Equal(4, predictions.Count);
        Assert.Equal([0L, 1L, 2L, -1L], predictions.Select(p => p!["code"]!.GetValue<long>()));
        Assert.Equal(["cat", "dog", "bird", "fish"], predictions.Select(p => p!["echo"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Predict_StringLabels_EchoesUnicodeAndEscapesUnchanged()
    {
        var body = await PredictAsync("""{"model":"string-labels","instances":["naïve 🐱","quote \" and \\ back","\u00e9t\u00e9",""]}""");

        var echo = Predictions(body).Select(p => p!["echo"]!.GetValue<string>()).ToArray();
        Assert.Equal(["naïve 🐱", "quote \" and \\ back", "été", string.Empty], echo);
    }

    [Fact]
    public async Task Predict_StringLabelsWithANumber_Returns400NamingTheRow()
    {
        var body = await PredictAsync("""{"model":"string-labels","instances":["cat",5]}""", 400);

        Assert.NotNull(body["errors"]!["instances[1]"]);
    }

    [Fact]
    public async Task Predict_StringLookup_ReturnsStringOutputs()
    {
        var body = await PredictAsync("""{"model":"string-lookup","instances":[0,1,2,7,-5]}""");

        Assert.Equal(["cat", "dog", "bird", "unknown", "unknown"], Predictions(body).Select(p => p!["name"]!.GetValue<string>()));
    }

    // ---- sequence-of-map outputs ---------------------------------------------------------------------------

    private static double[] Softmax(params double[] s)
    {
        var e = s.Select(Math.Exp).ToArray();
        return [.. e.Select(v => v / e.Sum())];
    }

    private static void AssertMap(JsonNode? map, string[] keys, double[] expected)
    {
        var obj = map!.AsObject();
        Assert.Equal(keys.Order(StringComparer.Ordinal), obj.Select(p => p.Key).Order(StringComparer.Ordinal));
        for (var i = 0; i < keys.Length; i++)
        {
            var actual = obj[keys[i]]!.GetValue<double>();
            Assert.True(Math.Abs(actual - expected[i]) < 1e-5, $"{keys[i]}: expected {expected[i]}, got {actual}");
        }
    }

    [Fact]
    public async Task Predict_ZipMapClassifier_ReturnsLabelAndAProbabilityObjectPerRow()
    {
        // s = [x0+x3, x1-x3, x2]
        var body = await PredictAsync("""{"model":"zipmap-classifier","instances":[[1,0,0,0],[0,3,0,1],[0,0,4,0]]}""");

        var predictions = Predictions(body);
        Assert.Equal(3, predictions.Count);
        Assert.Equal([0L, 1L, 2L], predictions.Select(p => p!["output_label"]!.GetValue<long>()));
        string[] keys = ["a", "b", "c"];
        AssertMap(predictions[0]!["output_probability"], keys, Softmax(1, 0, 0));
        AssertMap(predictions[1]!["output_probability"], keys, Softmax(1, 2, 0));
        AssertMap(predictions[2]!["output_probability"], keys, Softmax(0, 0, 4));
    }

    [Fact]
    public async Task Predict_ZipMapIntClassifier_KeysTheObjectByTheIntegerClasses()
    {
        var body = await PredictAsync("""{"model":"zipmap-int-classifier","instances":[[0,0,4,0],[2,0,0,1]]}""");

        var predictions = Predictions(body);
        Assert.Equal([2L, 0L], predictions.Select(p => p!["output_label"]!.GetValue<long>()));
        string[] keys = ["10", "20", "30"];
        AssertMap(predictions[0]!["output_probability"], keys, Softmax(0, 0, 4));
        AssertMap(predictions[1]!["output_probability"], keys, Softmax(3, -1, 0));
    }

    // ---- labels ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Predict_WithLabels_ClassIndexBecomesItsName()
    {
        var body = await PredictAsync("""{"model":"zipmap-labelled","instances":[[1,0,0,0],[0,3,0,1],[0,0,4,0]]}""");

        Assert.Equal(["alpha", "beta", "gamma"], Predictions(body).Select(p => p!["output_label"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Predict_WithLabels_ProbabilityVectorBecomesLabelToProbabilityMap()
    {
        var body = await PredictAsync("""{"model":"two-class-scores","instances":[[0.25,0.75],[0.9,0.1]]}""");

        var predictions = Predictions(body);
        Assert.Equal(0.25, predictions[0]!["y"]!["negative"]!.GetValue<double>());
        Assert.Equal(0.75, predictions[0]!["y"]!["positive"]!.GetValue<double>());
        Assert.Equal(0.9f, predictions[1]!["y"]!["negative"]!.GetValue<float>());
        Assert.Equal(0.1f, predictions[1]!["y"]!["positive"]!.GetValue<float>());
        Assert.Equal(2, predictions[0]!["y"]!.AsObject().Count);
    }

    [Fact]
    public async Task Predict_WithLabelsOfAnotherWidth_LeavesTheVectorRaw()
    {
        var body = await PredictAsync("""{"model":"three-labels-two-columns","instances":[[0.25,0.75]]}""");

        Assert.Equal([0.25, 0.75], Doubles(Predictions(body)[0]!["y"]));
    }

    [Fact]
    public async Task Predict_WithLabels_IndexOutsideTheLabelsStaysRaw_AndIntegerMatricesAreNotMapped()
    {
        // total = x0+x1+x2: 3 → "three"; 100 has no label; doubled is an integer matrix, never a class index.
        var body = await PredictAsync("""{"model":"int-labelled","instances":[[1,1,1],[50,25,25]]}""");

        var predictions = Predictions(body);
        Assert.Equal("three", predictions[0]!["total"]!.GetValue<string>());
        Assert.Equal(100L, predictions[1]!["total"]!.GetValue<long>());
        Assert.Equal("[2,2,2]", predictions[0]!["doubled"]!.ToJsonString());
    }

    [Fact]
    public async Task Predict_WithoutLabels_ReturnsRawIndexAndVector()
    {
        var zipmap = await PredictAsync("""{"model":"zipmap-classifier","instances":[[0,0,4,0]]}""");
        var identity = await PredictAsync("""{"model":"identity-fp32","instances":[[0.25,0.75]]}""");

        Assert.Equal(2L, Predictions(zipmap)[0]!["output_label"]!.GetValue<long>());
        Assert.Equal([0.25, 0.75], Doubles(Predictions(identity)[0]!["y"]));
    }

    [Fact]
    public async Task Predict_WineSample_LabelIsTheMostProbableClassName_AndProbabilitiesSumToOne()
    {
        await using var factory = new MlServingFactory(TestRepository.SamplesPath);
        var client = await factory.StartAsync();
        var reference = ReferenceFile.Load(Path.Combine(TestRepository.SamplesPath, "wine-classifier", "reference.json"));
        var data = ReferenceFile.Flatten(reference.Inputs[0]!["data"]);
        var instances = new JsonArray();
        for (var row = 0; row < data.Length / 13; row++)
        {
            instances.Add(new JsonArray([.. data.Skip(row * 13).Take(13).Select(v => (JsonNode?)v)]));
        }

        var body = await (await client.PostJsonAsync("/predict", new JsonObject { ["instances"] = instances }).WaitAsync(Timeout)).ExpectAsync(200);

        var predictions = Predictions(body);
        Assert.Equal(data.Length / 13, predictions.Count);
        var labelsSeen = new HashSet<string>();
        foreach (var prediction in predictions)
        {
            var probabilities = prediction!["probabilities"]!.AsObject();
            Assert.Equal(["class_0", "class_1", "class_2"], probabilities.Select(p => p.Key).Order(StringComparer.Ordinal));
            var sum = probabilities.Sum(p => p.Value!.GetValue<double>());
            Assert.True(Math.Abs(sum - 1) < 1e-4, $"probabilities sum to {sum}");
            var best = probabilities.MaxBy(p => p.Value!.GetValue<double>()).Key;
            Assert.Equal(best, prediction["label"]!.GetValue<string>());
            labelsSeen.Add(best);
        }

        Assert.True(labelsSeen.Count > 1, "the reference rows cover more than one class");
    }

    // ---- fixed, scalar and dynamic shapes ------------------------------------------------------------------

    [Fact]
    public async Task Predict_FixedBatchWithOneRow_ReturnsTheRow()
    {
        var body = await PredictAsync("""{"model":"fixed-batch","instances":[[1,2,3,4]]}""");

        var predictions = Predictions(body);
        Assert.Single(predictions);
        Assert.Equal([4, 6], Doubles(predictions[0]!["output"]));
    }

    [Fact]
    public async Task Predict_FixedBatchViaInputs_ReturnsTheRow()
    {
        var body = await PredictAsync("""{"model":"fixed-batch","inputs":{"input":[[1,-2,3,-4]]}}""");

        Assert.Equal([4, -6], Doubles(Predictions(body)[0]!["output"]));
    }

    [Fact]
    public async Task Predict_FixedBatchWithTwoRows_Returns400NamingInstances()
    {
        var body = await PredictAsync("""{"model":"fixed-batch","instances":[[1,2,3,4],[5,6,7,8]]}""", 400);

        Assert.Contains("1", body["errors"]!["instances"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Predict_ScalarScaleViaInputs_ReturnsOneWholePrediction()
    {
        var body = await PredictAsync("""{"model":"scalar-scale","inputs":{"x":[[1,2,3],[4,5,6]],"scale":2.5}}""");

        var predictions = Predictions(body);
        Assert.Single(predictions);
        Assert.Equal("[[2.5,5,7.5],[10,12.5,15]]", predictions[0]!["y"]!.ToJsonString());
    }

    [Fact]
    public async Task Predict_ScalarScaleViaInstances_Returns400PointingToInputs()
    {
        var body = await PredictAsync("""{"model":"scalar-scale","instances":[[1,2,3]]}""", 400);

        Assert.Contains("inputs", body["errors"]!["instances"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Predict_ScalarScaleWithArrayForScalar_Returns400NamingTheInput()
    {
        var body = await PredictAsync("""{"model":"scalar-scale","inputs":{"x":[[1,2,3]],"scale":[2]}}""", 400);

        Assert.NotNull(body["errors"]!["inputs.scale"]);
    }

    [Fact]
    public async Task Predict_DynamicHw_AveragesEachImageRow()
    {
        var body = await PredictAsync("""{"model":"dynamic-hw","instances":[[[[1,2],[3,4]]],[[[10,20],[30,40]]]]}""");

        var predictions = Predictions(body);
        Assert.Equal(2, predictions.Count);
        Assert.Equal([2.5], Doubles(predictions[0]!["mean"]));
        Assert.Equal([25], Doubles(predictions[1]!["mean"]));
    }

    [Fact]
    public async Task Predict_DynamicHw_AcceptsAnyHeightAndWidthPerRequest()
    {
        var tall = await PredictAsync("""{"model":"dynamic-hw","instances":[[[[1],[2],[6]]]]}""");
        var wide = await PredictAsync("""{"model":"dynamic-hw","instances":[[[[1,2,3,4,5]]]]}""");

        Assert.Equal([3], Doubles(Predictions(tall)[0]!["mean"]));
        Assert.Equal([3], Doubles(Predictions(wide)[0]!["mean"]));
    }

    [Fact]
    public async Task Predict_DynamicHwRowsOfDifferentSizes_Returns400NamingTheRow()
    {
        var body = await PredictAsync("""{"model":"dynamic-hw","instances":[[[[1,2],[3,4]]],[[[1,2,3],[4,5,6]]]]}""", 400);

        Assert.NotNull(body["errors"]!["instances[1]"]);
    }

    [Fact]
    public async Task Predict_DynamicHwRowWithWrongChannelCount_Returns400NamingTheRow()
    {
        var body = await PredictAsync("""{"model":"dynamic-hw","instances":[[[[1,2]],[[3,4]]]]}""", 400);

        Assert.NotNull(body["errors"]!["instances[0]"]);
    }

    // ---- model and version selection -----------------------------------------------------------------------

    [Fact]
    public async Task Predict_ModelOmittedWithSeveralModels_Returns404SayingModelIsRequired()
    {
        var response = await _client.PostJsonAsync("/predict", """{"instances":[[1,2]]}""").WaitAsync(Timeout);
        var body = await response.ExpectAsync(404);

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("model", body["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Predict_ModelOmittedWithExactlyOneModel_UsesThatModel()
    {
        using var repository = new TestRepository().AddFixture("fp64-regressor", "only");
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();

        var body = await (await client.PostJsonAsync("/predict", """{"instances":[[1,1]]}""").WaitAsync(Timeout)).ExpectAsync(200);

        Assert.Equal("only", body["model"]!.GetValue<string>());
        Assert.Equal("1", body["version"]!.GetValue<string>());
        Assert.Equal([5.5], Doubles(Predictions(body)[0]!["y"]));
    }

    [Fact]
    public async Task Predict_Version_SelectsThatVersion_DefaultIsTheNewest()
    {
        // Version 1 echoes x; version 2 computes 2·x0 + 3·x1 + 0.5: the answer shows which one ran.
        using var repository = new TestRepository()
            .AddFixture("identity-fp64", "m", 1)
            .AddFixture("fp64-regressor", "m", 2)
            .WithConfig("m", """{"versionPolicy":{"all":true}}""");
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();

        var newest = await (await client.PostJsonAsync("/predict", """{"model":"m","instances":[[1,2]]}""").WaitAsync(Timeout)).ExpectAsync(200);
        var v1 = await (await client.PostJsonAsync("/predict", """{"model":"m","version":"1","instances":[[1,2]]}""").WaitAsync(Timeout)).ExpectAsync(200);
        var v2 = await (await client.PostJsonAsync("/predict", """{"model":"m","version":"2","instances":[[1,2]]}""").WaitAsync(Timeout)).ExpectAsync(200);
        var v1Number = await (await client.PostJsonAsync("/predict", """{"model":"m","version":1,"instances":[[1,2]]}""").WaitAsync(Timeout)).ExpectAsync(200);
        await (await client.PostJsonAsync("/predict", """{"model":"m","version":"3","instances":[[1,2]]}""").WaitAsync(Timeout)).ExpectAsync(404);

        Assert.Equal("2", newest["version"]!.GetValue<string>());
        Assert.Equal([8.5], Doubles(Predictions(newest)[0]!["y"]));
        Assert.Equal("1", v1["version"]!.GetValue<string>());
        Assert.Equal([1, 2], Doubles(Predictions(v1)[0]!["y"]));
        Assert.Equal("2", v2["version"]!.GetValue<string>());
        Assert.Equal([8.5], Doubles(Predictions(v2)[0]!["y"]));
        Assert.Equal([1, 2], Doubles(Predictions(v1Number)[0]!["y"]));
    }

    [Fact]
    public async Task Predict_VersionWithDefaultPolicy_OnlyTheNewestIsServed()
    {
        using var repository = new TestRepository().AddFixture("fp64-regressor", "m", 1, 2);
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();

        var newest = await (await client.PostJsonAsync("/predict", """{"model":"m","instances":[[0,0]]}""").WaitAsync(Timeout)).ExpectAsync(200);
        await (await client.PostJsonAsync("/predict", """{"model":"m","version":"1","instances":[[0,0]]}""").WaitAsync(Timeout)).ExpectAsync(404);

        Assert.Equal("2", newest["version"]!.GetValue<string>());
    }
}
