using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Validation;

/// <summary>
/// Every rejection names the field at fault and uses the right status: /predict answers RFC 7807 problem details
/// with an <c>errors</c> map keyed by field, /v2 answers <c>{"error": "..."}</c> mentioning the field.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ValidationTests : IClassFixture<ValidationTests.FixtureServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly string[] WineFeatures =
    [
        "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
        "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline",
    ];

    private static readonly double[] WineRow = [13.51, 1.8, 2.65, 19.0, 110.0, 2.35, 2.53, 0.29, 1.54, 4.2, 1.1, 2.87, 1095.0];

    private readonly HttpClient _client;

    public ValidationTests(FixtureServer server) => _client = server.Client;

    /// <summary>
    /// The wine sample (named features), identity models, one with <c>allowNonFinite</c>, and a model whose newest
    /// version is corrupt (so the server is deliberately not "ready"; tests here only talk to named models).
    /// </summary>
    public sealed class FixtureServer() : SharedServer(
        new TestRepository()
                .AddModelFolder(TestRepository.SamplesPath, "wine-classifier", "wine")
                .AddFixture("identity-fp32", "fp32")
                .AddFixture("identity-fp32", "lenient")
                .WithConfig("lenient", """{"allowNonFinite": true}""")
                .AddFixture("identity-int8", "int8")
                .AddFixture("identity-uint8", "uint8")
                .AddFixture("identity-uint64", "uint64")
                .AddFixture("identity-bool", "bool")
                .AddFixture("fixed-batch")
                .AddFixture("string-labels")
                .AddFixture("identity-fp32", "half-broken", 1)
                .WithFile(Path.Combine("half-broken", "2", "model.onnx"), Encoding.UTF8.GetBytes("this is not ONNX"))
                .WithConfig("half-broken", """{"versionPolicy":{"all":true}}"""))
    {
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body) => _client.PostJsonAsync(path, body).WaitAsync(Timeout);

    /// <summary>Asserts an RFC 7807 answer with the status, and returns the messages for <paramref name="field"/> (which must be present).</summary>
    private static async Task<string> ExpectProblemAsync(HttpResponseMessage response, int status, string? field)
    {
        var body = await response.ExpectAsync(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(body["title"]?.GetValue<string>()));
        if (field is null)
        {
            return body["detail"]?.GetValue<string>() ?? string.Empty;
        }

        var errors = body["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors has no '{field}': {body.ToJsonString()}");
        var messages = errors[field]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m)));
        return string.Join(" | ", messages);
    }

    /// <summary>Asserts an OIP error with the status that mentions <paramref name="mention"/>; returns the message.</summary>
    private static async Task<string> ExpectOipErrorAsync(HttpResponseMessage response, int status, string? mention)
    {
        var body = await response.ExpectAsync(status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Single(body.AsObject());
        var message = body["error"]!.GetValue<string>();
        if (mention is not null)
        {
            Assert.Contains(mention, message);
        }

        return message;
    }

    private static string Infer(string datatype, string shape, string data, string name = "x") =>
        $$"""{"inputs":[{"name":"{{name}}","shape":{{shape}},"datatype":"{{datatype}}","data":{{data}}}]}""";

    private static JsonObject NamedWineRow(Func<string, bool>? keep = null)
    {
        var row = new JsonObject();
        for (var i = 0; i < WineFeatures.Length; i++)
        {
            if (keep?.Invoke(WineFeatures[i]) != false)
            {
                row[WineFeatures[i]] = WineRow[i];
            }
        }

        return row;
    }

    // ---- model lookup: 404 / 503 ---------------------------------------------------------------------------

    [Fact]
    public async Task Predict_UnknownModel_Returns404NamingIt()
    {
        var detail = await ExpectProblemAsync(await PostAsync("/predict", """{"model":"no-such-model","instances":[[1,2]]}"""), 404, null);

        Assert.Contains("no-such-model", detail);
    }

    [Fact]
    public async Task Infer_UnknownModel_Returns404NamingIt()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/no-such-model/infer", Infer("FP32", "[1,2]", "[1,2]")), 404, "no-such-model");
    }

    [Theory]
    [InlineData("\"7\"")]
    [InlineData("7")]
    [InlineData("\"0\"")]
    [InlineData("\"-1\"")]
    [InlineData("\"latest\"")]
    public async Task Predict_UnknownVersion_Returns404(string version)
    {
        var detail = await ExpectProblemAsync(await PostAsync("/predict", $$"""{"model":"fp32","version":{{version}},"instances":[[1,2]]}"""), 404, null);

        Assert.Contains("version", detail);
    }

    [Fact]
    public async Task Infer_UnknownVersion_Returns404()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/versions/7/infer", Infer("FP32", "[1,2]", "[1,2]")), 404, "7");
    }

    [Fact]
    public async Task Predict_VersionThatFailedToLoad_Returns503_WhileTheNewestReadyVersionServes()
    {
        var response = await PostAsync("/predict", """{"model":"half-broken","version":"2","instances":[[1,2]]}""");
        var detail = await ExpectProblemAsync(response, 503, null);
        var fallback = await (await PostAsync("/predict", """{"model":"half-broken","instances":[[1,2]]}""")).ExpectAsync(200);

        Assert.Contains("version 2", detail);
        Assert.Equal("1", fallback["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_VersionThatFailedToLoad_Returns503()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/half-broken/versions/2/infer", Infer("FP32", "[1,2]", "[1,2]")), 503, "version 2");
    }

    // ---- rows and features -----------------------------------------------------------------------------------

    [Fact]
    public async Task Predict_RowWithWrongWidth_Returns400NamingTheRow()
    {
        var rows = Enumerable.Range(0, 5).Select(i => new JsonArray([.. WineRow.Select(v => (JsonNode?)v)])).ToArray();
        rows[3].RemoveAt(12);
        var body = new JsonObject { ["model"] = "wine", ["instances"] = new JsonArray(rows) };

        var messages = await ExpectProblemAsync(await _client.PostJsonAsync("/predict", body).WaitAsync(Timeout), 400, "instances[3]");

        Assert.Contains("13", messages);
        Assert.Contains("12", messages);
    }

    [Fact]
    public async Task Predict_RowTooWide_Returns400NamingTheRow()
    {
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","instances":[[1,2],[3,4,5]]}"""), 400, "instances[1]");
    }

    [Fact]
    public async Task Predict_NamedRowMissingAFeature_Returns400NamingTheRowAndFeature()
    {
        var body = new JsonObject { ["model"] = "wine", ["instances"] = new JsonArray(NamedWineRow(f => f != "proline")) };

        var messages = await ExpectProblemAsync(await _client.PostJsonAsync("/predict", body).WaitAsync(Timeout), 400, "instances[0]");

        Assert.Contains("proline", messages);
    }

    [Fact]
    public async Task Predict_NamedRowWithUnknownFeature_Returns400NamingTheRowAndFeature()
    {
        var row = NamedWineRow();
        row["colour"] = 1.0;
        var body = new JsonObject { ["model"] = "wine", ["instances"] = new JsonArray(NamedWineRow(), row) };

        var messages = await ExpectProblemAsync(await _client.PostJsonAsync("/predict", body).WaitAsync(Timeout), 400, "instances[1]");

        Assert.Contains("colour", messages);
    }

    [Fact]
    public async Task Predict_NamedRowWithDuplicateFeature_Returns400NamingTheRowAndFeature()
    {
        // JsonObject cannot hold a duplicate key: write the JSON text by hand.
        var members = string.Join(",", WineFeatures.Select((f, i) => $"\"{f}\":{WineRow[i]}"));
        var json = $$"""{"model":"wine","instances":[{{{members}},"alcohol":14.0}]}""";

        var messages = await ExpectProblemAsync(await PostAsync("/predict", json), 400, "instances[0]");

        Assert.Contains("alcohol", messages);
    }

    [Fact]
    public async Task Predict_NamedRowWithArrayValue_Returns400NamingTheRow()
    {
        var row = NamedWineRow();
        row["hue"] = new JsonArray(1.0, 2.0);
        var body = new JsonObject { ["model"] = "wine", ["instances"] = new JsonArray(row) };

        var messages = await ExpectProblemAsync(await _client.PostJsonAsync("/predict", body).WaitAsync(Timeout), 400, "instances[0]");

        Assert.Contains("hue", messages);
    }

    [Fact]
    public async Task Predict_NamedRowOnModelWithoutFeatures_Returns400NamingTheRow()
    {
        var messages = await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","instances":[{"a":1,"b":2}]}"""), 400, "instances[0]");

        Assert.Contains("features", messages);
    }

    [Fact]
    public async Task Predict_WineNamedRowInAnyOrder_IsAccepted()
    {
        var row = NamedWineRow();
        var reversed = new JsonObject();
        foreach (var (key, value) in row.Reverse())
        {
            reversed[key] = value?.DeepClone();
        }

        var positional = new JsonArray([.. WineRow.Select(v => (JsonNode?)v)]);
        var request = new JsonObject { ["model"] = "wine", ["instances"] = new JsonArray(reversed, positional) };

        var body = await (await _client.PostJsonAsync("/predict", request).WaitAsync(Timeout)).ExpectAsync(200);

        var predictions = body["predictions"]!.AsArray();
        Assert.Equal(predictions[0]!.ToJsonString(), predictions[1]!.ToJsonString());
    }

    // ---- datatypes, shapes, element counts ------------------------------------------------------------------

    [Theory]
    [InlineData("BYTES", "[\"a\",\"b\"]")]
    [InlineData("BOOL", "[true,false]")]
    public async Task Infer_DatatypeNotConvertible_Returns400NamingTheDatatype(string datatype, string data)
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", Infer(datatype, "[1,2]", data)), 400, "inputs[0].datatype");
    }

    [Fact]
    public async Task Infer_UnknownDatatype_Returns400NamingTheDatatype()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", Infer("FLOAT", "[1,2]", "[1,2]")), 400, "inputs[0].datatype");
    }

    [Fact]
    public async Task Infer_NumbersForAStringInput_Returns400NamingTheDatatype()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/string-labels/infer", Infer("INT64", "[2]", "[1,2]", "text")), 400, "inputs[0].datatype");
    }

    [Theory]
    [InlineData("[2]", "[1,2]")]
    [InlineData("[1,2,1]", "[1,2]")]
    [InlineData("[]", "1")]
    public async Task Infer_ShapeOfWrongRank_Returns400NamingTheShape(string shape, string data)
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", Infer("FP32", shape, data)), 400, "inputs[0].shape");
    }

    [Theory]
    [InlineData("fp32", "FP32", "[1,3]", "[1,2,3]")]
    [InlineData("fixed-batch", "FP32", "[2,4]", "[1,2,3,4,5,6,7,8]")]
    [InlineData("fp32", "FP32", "[0,2]", "[]")]
    public async Task Infer_ShapeWithWrongFixedDim_Returns400NamingTheShape(string model, string datatype, string shape, string data)
    {
        var name = model == "fixed-batch" ? "input" : "x";
        await ExpectOipErrorAsync(await PostAsync($"/v2/models/{model}/infer", Infer(datatype, shape, data, name)), 400, "inputs[0].shape");
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("[1]")]
    [InlineData("[[1,2],[3,4],[5,6]]")]
    public async Task Infer_ElementCountNotMatchingShape_Returns400NamingTheData(string data)
    {
        var message = await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", Infer("FP32", "[2,2]", data)), 400, "inputs[0].data");

        Assert.Contains("4", message);
    }

    [Fact]
    public async Task Infer_SecondInputInvalid_NamesTheSecondInput()
    {
        var body = """
            {"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]},
                       {"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}
            """;

        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", body), 400, "inputs[1].name");
    }

    [Fact]
    public async Task Infer_UnknownInputName_Returns400NamingIt()
    {
        var message = await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", Infer("FP32", "[1,2]", "[1,2]", "input")), 400, "inputs[0].name");

        Assert.Contains("'input'", message);
    }

    [Fact]
    public async Task Infer_NoInputs_Returns400NamingInputs()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"inputs":[]}"""), 400, "inputs");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"id":"x"}"""), 400, "inputs");
    }

    [Theory]
    [InlineData(""","inputs":{"x":[[1,2,3]]}""", "inputs.x")]
    [InlineData(""","inputs":{"x":[1,2]}""", "inputs.x")]
    [InlineData(""","inputs":{"x":[["a","b"]]}""", "inputs.x")]
    [InlineData(""","inputs":{"y":[[1,2]]}""", "inputs")]
    [InlineData(""","inputs":{}""", "inputs")]
    [InlineData(""","inputs":{"x":[[1,2]]},"instances":[[1,2]]""", "instances")]
    [InlineData(""","instances":[]""", "instances")]
    [InlineData(""","instances":{"x":1}""", "instances")]
    [InlineData("", "instances")]
    public async Task Predict_InvalidInstancesOrInputs_Returns400NamingTheField(string members, string field)
    {
        await ExpectProblemAsync(await PostAsync("/predict", $$"""{"model":"fp32"{{members}}}"""), 400, field);
    }

    // ---- non-finite numbers and ranges -------------------------------------------------------------------------

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"-Infinity\"")]
    public async Task Predict_NonFiniteWithoutOptIn_Returns400NamingTheRow(string value)
    {
        var messages = await ExpectProblemAsync(await PostAsync("/predict", $$"""{"model":"fp32","instances":[[1,2],[{{value}},1]]}"""), 400, "instances[1]");

        Assert.Contains("allowNonFinite", messages);
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    public async Task Infer_NonFiniteWithoutOptIn_Returns400NamingTheData(string value)
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", Infer("FP32", "[1,2]", $"[1,{value}]")), 400, "inputs[0].data");
    }

    [Fact]
    public async Task Predict_NonFiniteWithAllowNonFinite_IsAcceptedAndReturnedAsStrings()
    {
        var body = await (await PostAsync("/predict", """{"model":"lenient","instances":[["NaN","Infinity"],["-Infinity",1]]}""")).ExpectAsync(200);

        var predictions = body["predictions"]!.AsArray();
        Assert.Equal("""["NaN","Infinity"]""", predictions[0]!["y"]!.ToJsonString());
        Assert.Equal("""["-Infinity",1]""", predictions[1]!["y"]!.ToJsonString());
    }

    [Fact]
    public async Task Infer_NonFiniteWithAllowNonFinite_IsAccepted()
    {
        var body = await (await PostAsync("/v2/models/lenient/infer", Infer("FP32", "[1,2]", """["NaN",-2.5]"""))).ExpectAsync(200);

        Assert.Equal("""["NaN",-2.5]""", body["outputs"]![0]!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task NonFinite_LiteralNaNTokenIsNotJson_Returns400EvenWithAllowNonFinite()
    {
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"lenient","instances":[[NaN,1]]}"""), 400, "body");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/lenient/infer", Infer("FP32", "[1,2]", "[NaN,1]")), 400, "body");
    }

    [Theory]
    [InlineData("int8", "INT8", "-129")]
    [InlineData("int8", "INT8", "128")]
    [InlineData("int8", "INT8", "1.5")]
    [InlineData("uint8", "UINT8", "256")]
    [InlineData("uint8", "UINT8", "-1")]
    [InlineData("uint8", "UINT8", "1e3")]
    [InlineData("uint64", "UINT64", "18446744073709551616")]
    [InlineData("uint64", "UINT64", "-1")]
    [InlineData("fp32", "FP32", "1e39")]
    [InlineData("fp32", "FP32", "-3.5e38")]
    [InlineData("bool", "BOOL", "2")]
    public async Task Infer_NumberOutOfRangeForTheType_Returns400NamingTheData(string model, string datatype, string value)
    {
        await ExpectOipErrorAsync(await PostAsync($"/v2/models/{model}/infer", Infer(datatype, "[1,2]", $"[0,{value}]")), 400, "inputs[0].data");
    }

    [Theory]
    [InlineData("int8", "-129")]
    [InlineData("int8", "128")]
    [InlineData("uint8", "256")]
    [InlineData("uint8", "-1")]
    [InlineData("uint8", "0.5")]
    public async Task Predict_NumberOutOfRangeForTheType_Returns400NamingTheRow(string model, string value)
    {
        await ExpectProblemAsync(await PostAsync("/predict", $$"""{"model":"{{model}}","instances":[[0,0],[0,{{value}}]]}"""), 400, "instances[1]");
    }

    [Theory]
    [InlineData("int8", "[-128,127]")]
    [InlineData("uint8", "[0,255]")]
    public async Task Predict_NumbersAtTheTypesEdges_AreAccepted(string model, string row)
    {
        var body = await (await PostAsync("/predict", $$"""{"model":"{{model}}","instances":[{{row}}]}""")).ExpectAsync(200);

        Assert.Equal(row, body["predictions"]![0]!["y"]!.ToJsonString());
    }

    // ---- body-level rejections ---------------------------------------------------------------------------------

    [Fact]
    public async Task Predict_MalformedJson_Returns400NamingTheBody()
    {
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","instances":[[1,2]"""), 400, "body");
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","instances":[[1,2],]}"""), 400, "body");
    }

    [Fact]
    public async Task Infer_MalformedJson_Returns400()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"inputs":[{"name":"x",}]}"""), 400, "body");
    }

    [Fact]
    public async Task Predict_EmptyBody_Returns400()
    {
        await ExpectProblemAsync(await PostAsync("/predict", string.Empty), 400, "body");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Predict_WrongContentType_Returns415(string contentType)
    {
        var content = new StringContent("""{"model":"fp32","instances":[[1,2]]}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        await ExpectProblemAsync(await _client.PostAsync("/predict", content).WaitAsync(Timeout), 415, null);
    }

    [Fact]
    public async Task Infer_WrongContentType_Returns415()
    {
        var content = new StringContent(Infer("FP32", "[1,2]", "[1,2]"), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");

        await ExpectOipErrorAsync(await _client.PostAsync("/v2/models/fp32/infer", content).WaitAsync(Timeout), 415, null);
    }

    [Fact]
    public async Task JsonContentTypeWithCharsetOrSuffix_IsAccepted()
    {
        var content = new StringContent("""{"model":"fp32","instances":[[1,2]]}""", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

        await (await _client.PostAsync("/predict", content).WaitAsync(Timeout)).ExpectAsync(200);
    }

    [Fact]
    public async Task Predict_UnknownTopLevelField_Returns400NamingIt()
    {
        var messages = await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","instances":[[1,2]],"instance":[[1,2]]}"""), 400, "instance");

        Assert.Contains("instance", messages);
    }

    [Fact]
    public async Task Infer_UnknownTopLevelField_Returns400NamingIt()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"input":[],"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"""), 400, "'input'");
    }

    [Theory]
    [InlineData("""{"model":"fp32","instances":[[1,2]],"instances":[[3,4]]}""", "instances")]
    [InlineData("""{"model":"fp32","model":"int8","instances":[[1,2]]}""", "model")]
    [InlineData("""{"model":"fp32","version":"1","version":"2","instances":[[1,2]]}""", "version")]
    [InlineData("""{"model":"fp32","inputs":{"x":[[1,2]]},"inputs":{"x":[[3,4]]}}""", "inputs")]
    public async Task Predict_DuplicateTopLevelKey_Returns400NamingIt(string json, string field)
    {
        await ExpectProblemAsync(await PostAsync("/predict", json), 400, field);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2],"data":[3,4]}]}""", "inputs[0].data")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,2],"shape":[2,1],"datatype":"FP32","data":[1,2]}]}""", "inputs[0].shape")]
    [InlineData("""{"inputs":[{"name":"x","name":"y","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""", "inputs[0].name")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","datatype":"INT8","data":[1,2]}]}""", "inputs[0].datatype")]
    [InlineData("""{"id":"a","id":"b","inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""", "id")]
    [InlineData("""{"inputs":[],"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""", "inputs")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"outputs":[],"outputs":[{"name":"y"}]}""", "outputs")]
    public async Task Infer_DuplicateKey_Returns400NamingIt(string json, string field)
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", json), 400, field);
    }

    [Fact]
    public async Task TrailingContentAfterTheBody_Returns400NamingTheBody()
    {
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","instances":[[1,2]]}{"model":"int8"}"""), 400, "body");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", Infer("FP32", "[1,2]", "[1,2]") + "x"), 400, "body");
        await (await PostAsync("/predict", """{"model":"fp32","instances":[[1,2]]} /* comment */""" + "\n\t ")).ExpectAsync(200);
    }

    [Fact]
    public async Task Predict_FieldsOfTheWrongType_Return400NamingThem()
    {
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":5,"instances":[[1,2]]}"""), 400, "model");
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","version":true,"instances":[[1,2]]}"""), 400, "version");
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","instances":"[[1,2]]"}"""), 400, "instances");
        await ExpectProblemAsync(await PostAsync("/predict", """{"model":"fp32","inputs":[[1,2]]}"""), 400, "inputs");
    }

    [Fact]
    public async Task Infer_FieldsOfTheWrongType_Return400NamingThem()
    {
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"id":5,"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"""), 400, "id");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"inputs":[{"name":"x","shape":"[1,2]","datatype":"FP32","data":[1,2]}]}"""), 400, "inputs[0].shape");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32"}]}"""), 400, "inputs[0].data");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"inputs":[{"shape":[1,2],"datatype":"FP32","data":[1,2]}]}"""), 400, "inputs[0].name");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":32,"data":[1,2]}]}"""), 400, "inputs[0].datatype");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"parameters":{"timeout":-5},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"""), 400, "parameters.timeout");
        await ExpectOipErrorAsync(await PostAsync("/v2/models/fp32/infer", """{"outputs":[{"nom":"y"}],"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"""), 400, "outputs[0].name");
    }

    // ---- size limits: 413 ----------------------------------------------------------------------------------------

    [Fact]
    public async Task MaxRowsPerRequest_MoreRows_Returns413_AtTheLimitIsAccepted()
    {
        using var repository = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repository.Path, new Dictionary<string, string?> { ["MlServing:Limits:MaxRowsPerRequest"] = "3" });
        var client = await factory.StartAsync();

        var predict = await client.PostJsonAsync("/predict", """{"instances":[[1,2],[3,4],[5,6],[7,8]]}""").WaitAsync(Timeout);
        var predictInputs = await client.PostJsonAsync("/predict", """{"inputs":{"x":[[1,2],[3,4],[5,6],[7,8]]}}""").WaitAsync(Timeout);
        var infer = await client.PostJsonAsync("/v2/models/m/infer", Infer("FP32", "[4,2]", "[1,2,3,4,5,6,7,8]")).WaitAsync(Timeout);
        var atLimit = await client.PostJsonAsync("/predict", """{"instances":[[1,2],[3,4],[5,6]]}""").WaitAsync(Timeout);
        var inferAtLimit = await client.PostJsonAsync("/v2/models/m/infer", Infer("FP32", "[3,2]", "[1,2,3,4,5,6]")).WaitAsync(Timeout);

        var messages = await ExpectProblemAsync(predict, 413, "instances");
        Assert.Contains("3", messages);
        await ExpectProblemAsync(predictInputs, 413, "inputs.x");
        await ExpectOipErrorAsync(infer, 413, "inputs[0].shape");
        Assert.Equal(3, (await atLimit.ExpectAsync(200))["predictions"]!.AsArray().Count);
        await inferAtLimit.ExpectAsync(200);
    }

    [Fact]
    public async Task MaxRequestBodyBytes_BiggerBody_Returns413_WithAndWithoutContentLength()
    {
        using var repository = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repository.Path, new Dictionary<string, string?> { ["MlServing:Limits:MaxRequestBodyBytes"] = "1024" });
        var client = await factory.StartAsync();
        var rows = string.Join(",", Enumerable.Range(0, 300).Select(i => $"[{i},{i}]"));
        var big = $$"""{"instances":[{{rows}}]}""";
        var bigInfer = Infer("FP32", "[300,2]", $"[{rows}]");
        Assert.True(Encoding.UTF8.GetByteCount(big) > 1024);

        var predict = await client.PostJsonAsync("/predict", big).WaitAsync(Timeout);
        var infer = await client.PostJsonAsync("/v2/models/m/infer", bigInfer).WaitAsync(Timeout);
        var chunked = await client.PostAsync("/predict", new UnsizedJsonContent(big)).WaitAsync(Timeout);
        var chunkedInfer = await client.PostAsync("/v2/models/m/infer", new UnsizedJsonContent(bigInfer)).WaitAsync(Timeout);
        var small = await client.PostJsonAsync("/predict", """{"instances":[[1,2]]}""").WaitAsync(Timeout);
        var smallChunked = await client.PostAsync("/predict", new UnsizedJsonContent("""{"instances":[[1,2]]}""")).WaitAsync(Timeout);

        Assert.Contains("1024", await ExpectProblemAsync(predict, 413, "body"));
        await ExpectOipErrorAsync(infer, 413, "1024");
        await ExpectProblemAsync(chunked, 413, "body");
        await ExpectOipErrorAsync(chunkedInfer, 413, "1024");
        await small.ExpectAsync(200);
        await smallChunked.ExpectAsync(200);
    }

    /// <summary>A JSON body sent without Content-Length (chunked), so the server cannot reject it up front.</summary>
    private sealed class UnsizedJsonContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnsizedJsonContent(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
