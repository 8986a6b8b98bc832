using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.OpenInference;

/// <summary>
/// The Open Inference Protocol v2 REST API (KServe predict-api v2): server and model metadata, health, infer for
/// every datatype with flat and nested data, requested outputs, errors as <c>{"error": "..."}</c>, and the
/// model repository extension.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class OpenInferenceApiTests : IClassFixture<OpenInferenceApiTests.FixtureServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly string[] IdentityTypes = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "fp16", "fp32", "fp64"];

    private readonly HttpClient _client;

    public OpenInferenceApiTests(FixtureServer server) => _client = server.Client;

    /// <summary>One healthy server for the read-only tests: every identity-T, the string and multi-output fixtures, and a two-version model.</summary>
    public sealed class FixtureServer() : SharedServer(
        Build())
    {
        private static TestRepository Build()
        {
            var repository = new TestRepository()
                .AddFixture("string-labels")
                .AddFixture("multi-input")
                .AddFixture("int64-math")
                .AddFixture("dynamic-hw")
                .AddFixture("scalar-scale")
                .AddFixture("zipmap-classifier")
                .AddFixture("zipmap-int-classifier")
                .AddFixture("identity-fp64", "versioned", 1)
                .AddFixture("fp64-regressor", "versioned", 2)
                .WithConfig("versioned", """{"versionPolicy":{"all":true}}""");
            foreach (var type in IdentityTypes)
            {
                repository.AddFixture("identity-" + type);
            }

            return repository;
        }

    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body) =>
        await _client.PostJsonAsync(path, body).WaitAsync(Timeout);

    private async Task<HttpResponseMessage> GetAsync(string path) =>
        await _client.GetAsync(path).WaitAsync(Timeout);

    private static JsonNode Output(JsonNode body, string name) =>
        body["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == name)!;

    /// <summary>Asserts an OIP error: the status, a JSON content type, and a body of exactly one string property "error".</summary>
    internal static async Task<string> ExpectErrorAsync(HttpResponseMessage response, int status)
    {
        var body = await response.ExpectAsync(status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var obj = body.AsObject();
        Assert.Single(obj);
        var message = obj["error"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }

    // ---- server metadata and health -----------------------------------------------------------------------

    [Fact]
    public async Task ServerMetadata_HasNameVersionAndTheRepositoryExtension()
    {
        var body = await (await GetAsync("/v2")).ExpectAsync(200);

        Assert.False(string.IsNullOrWhiteSpace(body["name"]!.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(body["version"]!.GetValue<string>()));
        Assert.Contains("model_repository", body["extensions"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public async Task HealthLive_Is200()
    {
        var body = await (await GetAsync("/v2/health/live")).ExpectAsync(200);

        Assert.True(body["live"]!.GetValue<bool>());
    }

    [Fact]
    public async Task HealthReady_WithEveryModelLoaded_Is200()
    {
        var body = await (await GetAsync("/v2/health/ready")).ExpectAsync(200);

        Assert.True(body["ready"]!.GetValue<bool>());
    }

    // ---- model metadata and readiness ---------------------------------------------------------------------

    [Fact]
    public async Task ModelMetadata_DescribesInputsAndOutputs_WithMinusOneForDynamicDims()
    {
        var body = await (await GetAsync("/v2/models/identity-fp32")).ExpectAsync(200);

        Assert.Equal("identity-fp32", body["name"]!.GetValue<string>());
        Assert.Equal(["1"], body["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(body["platform"]!.GetValue<string>()));
        var input = body["inputs"]!.AsArray().Single()!;
        Assert.Equal("x", input["name"]!.GetValue<string>());
        Assert.Equal("FP32", input["datatype"]!.GetValue<string>());
        Assert.Equal("[-1,2]", input["shape"]!.ToJsonString());
        var output = body["outputs"]!.AsArray().Single()!;
        Assert.Equal("y", output["name"]!.GetValue<string>());
        Assert.Equal("FP32", output["datatype"]!.GetValue<string>());
        Assert.Equal("[-1,2]", output["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task ModelMetadata_StringTensorsAreBytes_AndEveryDynamicDimIsMinusOne()
    {
        var strings = await (await GetAsync("/v2/models/string-labels")).ExpectAsync(200);
        var images = await (await GetAsync("/v2/models/dynamic-hw")).ExpectAsync(200);
        var scalar = await (await GetAsync("/v2/models/scalar-scale")).ExpectAsync(200);

        Assert.Equal("BYTES", strings["inputs"]![0]!["datatype"]!.GetValue<string>());
        Assert.Equal("[-1]", strings["inputs"]![0]!["shape"]!.ToJsonString());
        Assert.Equal("INT64", Output(strings, "code")["datatype"]!.GetValue<string>());
        Assert.Equal("BYTES", Output(strings, "echo")["datatype"]!.GetValue<string>());
        Assert.Equal("[-1,1,-1,-1]", images["inputs"]![0]!["shape"]!.ToJsonString());
        Assert.Equal("[-1,1]", images["outputs"]![0]!["shape"]!.ToJsonString());
        var scale = scalar["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "scale")!;
        Assert.Equal("[]", scale["shape"]!.ToJsonString());
    }

    [Theory]
    [InlineData("bool", "BOOL")]
    [InlineData("uint8", "UINT8")]
    [InlineData("uint16", "UINT16")]
    [InlineData("uint32", "UINT32")]
    [InlineData("uint64", "UINT64")]
    [InlineData("int8", "INT8")]
    [InlineData("int16", "INT16")]
    [InlineData("int32", "INT32")]
    [InlineData("int64", "INT64")]
    [InlineData("fp16", "FP16")]
    [InlineData("fp32", "FP32")]
    [InlineData("fp64", "FP64")]
    public async Task ModelMetadata_ReportsEachDatatypeByItsProtocolName(string type, string datatype)
    {
        var body = await (await GetAsync("/v2/models/identity-" + type)).ExpectAsync(200);

        Assert.Equal(datatype, body["inputs"]![0]!["datatype"]!.GetValue<string>());
        Assert.Equal(datatype, body["outputs"]![0]!["datatype"]!.GetValue<string>());
    }

    [Fact]
    public async Task ModelMetadata_ListsEveryReadyVersion_VersionMetadataOnlyThatOne()
    {
        var model = await (await GetAsync("/v2/models/versioned")).ExpectAsync(200);
        var v1 = await (await GetAsync("/v2/models/versioned/versions/1")).ExpectAsync(200);
        var v2 = await (await GetAsync("/v2/models/versioned/versions/2")).ExpectAsync(200);

        Assert.Equal(["1", "2"], model["versions"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(["1"], v1["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["2"], v2["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("[-1,2]", Output(v1, "y")["shape"]!.ToJsonString());
        Assert.Equal("[-1,1]", Output(v2, "y")["shape"]!.ToJsonString());
        Assert.Equal("[-1,1]", Output(model, "y")["shape"]!.ToJsonString());
    }

    [Theory]
    [InlineData("/v2/models/nope")]
    [InlineData("/v2/models/versioned/versions/3")]
    [InlineData("/v2/models/versioned/versions/0")]
    [InlineData("/v2/models/versioned/versions/abc")]
    public async Task ModelMetadata_UnknownModelOrVersion_Is404Error(string path)
    {
        await ExpectErrorAsync(await GetAsync(path), 404);
    }

    [Fact]
    public async Task ModelReady_KnownModelAndVersion_Are200()
    {
        var model = await (await GetAsync("/v2/models/identity-fp32/ready")).ExpectAsync(200);
        await (await GetAsync("/v2/models/versioned/versions/1/ready")).ExpectAsync(200);
        await (await GetAsync("/v2/models/versioned/versions/2/ready")).ExpectAsync(200);

        Assert.True(model["ready"]!.GetValue<bool>());
        Assert.Equal("identity-fp32", model["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v2/models/nope/ready")]
    [InlineData("/v2/models/versioned/versions/9/ready")]
    public async Task ModelReady_UnknownModelOrVersion_Is404Error(string path)
    {
        await ExpectErrorAsync(await GetAsync(path), 404);
    }

    // ---- infer -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Infer_WithoutVersion_UsesTheNewest_WithVersion_UsesThatOne()
    {
        // versioned/1 echoes x; versioned/2 computes y = 2·x0 + 3·x1 + 0.5.
        const string Body = """{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP64","data":[1,2,3,4]}]}""";
        var newest = await (await PostAsync("/v2/models/versioned/infer", Body)).ExpectAsync(200);
        var v1 = await (await PostAsync("/v2/models/versioned/versions/1/infer", Body)).ExpectAsync(200);
        var v2 = await (await PostAsync("/v2/models/versioned/versions/2/infer", Body)).ExpectAsync(200);

        Assert.Equal("versioned", newest["model_name"]!.GetValue<string>());
        Assert.Equal("2", newest["model_version"]!.GetValue<string>());
        Assert.Equal("[8.5,18.5]", Output(newest, "y")["data"]!.ToJsonString());
        Assert.Equal("[2,1]", Output(newest, "y")["shape"]!.ToJsonString());
        Assert.Equal("FP64", Output(newest, "y")["datatype"]!.GetValue<string>());
        Assert.Equal("1", v1["model_version"]!.GetValue<string>());
        Assert.Equal("[1,2,3,4]", Output(v1, "y")["data"]!.ToJsonString());
        Assert.Equal("[2,2]", Output(v1, "y")["shape"]!.ToJsonString());
        Assert.Equal(Output(newest, "y").ToJsonString(), Output(v2, "y").ToJsonString());
    }

    [Theory]
    [InlineData("/v2/models/nope/infer")]
    [InlineData("/v2/models/versioned/versions/3/infer")]
    [InlineData("/v2/models/versioned/versions/-1/infer")]
    public async Task Infer_UnknownModelOrVersion_Is404Error(string path)
    {
        var message = await ExpectErrorAsync(await PostAsync(path, """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1,2]}]}"""), 404);

        Assert.Contains(path.Contains("nope", StringComparison.Ordinal) ? "nope" : "version", message);
    }

    /// <summary>Values at each type's edges; integer and BOOL data must come back as the same JSON text.</summary>
    public static TheoryData<string, string, string, bool> Datatypes()
    {
        var data = new TheoryData<string, string, string, bool>();
        (string Type, string Values)[] cases =
        [
            ("bool", "true,false,false,true"),
            ("uint8", "0,255,1,128"),
            ("uint16", "0,65535,1,32768"),
            ("uint32", "0,4294967295,1,2147483648"),
            ("uint64", "0,18446744073709551615,1,9223372036854775808"),
            ("int8", "-128,127,0,-1"),
            ("int16", "-32768,32767,0,-1"),
            ("int32", "-2147483648,2147483647,0,-1"),
            ("int64", "-9223372036854775808,9223372036854775807,0,-1"),
            ("fp16", "65504,-65504,0.0009765625,0.1"),
            ("fp32", "3.4028235e38,-3.4028235e38,1.1754944e-38,0.1"),
            ("fp64", "1.7976931348623157e308,-1.7976931348623157e308,5e-324,0.1"),
        ];
        foreach (var (type, values) in cases)
        {
            data.Add(type, type.ToUpperInvariant(), values, false);
            data.Add(type, type.ToUpperInvariant(), values, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task Infer_EveryDatatype_RoundTripsEdgeValues_FlatAndNested(string type, string datatype, string values, bool nested)
    {
        var items = values.Split(',');
        var data = nested ? $"[[{items[0]},{items[1]}],[{items[2]},{items[3]}]]" : $"[{values}]";
        var body = await (await PostAsync($"/v2/models/identity-{type}/infer", $$"""{"inputs":[{"name":"x","shape":[2,2],"datatype":"{{datatype}}","data":{{data}}}]}""")).ExpectAsync(200);

        var y = Output(body, "y");
        Assert.Equal(datatype, y["datatype"]!.GetValue<string>());
        Assert.Equal("[2,2]", y["shape"]!.ToJsonString());
        var actual = y["data"]!.AsArray();
        Assert.Equal(4, actual.Count);
        for (var i = 0; i < 4; i++)
        {
            var expected = items[i];
            var got = actual[i]!;
            switch (type)
            {
                case "fp64":
                    Assert.Equal(double.Parse(expected, CultureInfo.InvariantCulture), got.GetValue<double>());
                    break;
                case "fp32":
                    Assert.Equal(float.Parse(expected, CultureInfo.InvariantCulture), (float)got.GetValue<double>());
                    break;
                case "fp16":
                    Assert.Equal(Half.Parse(expected, CultureInfo.InvariantCulture), (Half)got.GetValue<double>());
                    break;
                default:
                    Assert.Equal(expected, got.ToJsonString());
                    break;
            }
        }
    }

    [Fact]
    public async Task Infer_IntegerModelGivenIntegralNumbersInOtherForms_AcceptsExactValues()
    {
        var body = await (await PostAsync("/v2/models/identity-int64/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"INT64","data":[1e3,-2.0]}]}""")).ExpectAsync(200);

        Assert.Equal("[1000,-2]", Output(body, "y")["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Infer_DatatypeOtherThanTheModels_Is400NamingTheFieldAndBothTypes_NeverConverted()
    {
        // As Triton: the declared datatype must be the model input's; INT32 data for an FP32 input is refused.
        var message = await ExpectErrorAsync(await PostAsync("/v2/models/identity-fp32/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"INT32","data":[3,-7]}]}"""), 400);

        Assert.Contains("inputs[0].datatype", message);
        Assert.Contains("FP32", message);
        Assert.Contains("INT32", message);
    }

    [Theory]
    [InlineData("INT8", "[13.68, 1]")]
    [InlineData("INT8", "[300, 1]")]
    [InlineData("UINT8", "[-1, 1]")]
    [InlineData("UINT8", "[1.5, 1]")]
    public async Task Infer_ElementThatIsNoValueOfTheDeclaredDatatype_Is400NamingTheData(string datatype, string data)
    {
        var model = "identity-" + datatype.ToLowerInvariant();
        var message = await ExpectErrorAsync(await PostAsync($"/v2/models/{model}/infer", $$"""{"inputs":[{"name":"x","shape":[1,2],"datatype":"{{datatype}}","data":{{data}}}]}"""), 400);

        Assert.Contains("inputs[0].data", message);
        Assert.Contains("element 0", message);
    }

    [Fact]
    public async Task Infer_Fp64DataForAnFp32Model_Is400EvenWhenEveryValueFits()
    {
        var message = await ExpectErrorAsync(await PostAsync("/v2/models/identity-fp32/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1.5,2]}]}"""), 400);

        Assert.Contains("inputs[0].datatype", message);
        Assert.Contains("FP64", message);
    }

    [Fact]
    public async Task Infer_Bytes_ThroughStringLabels_ReturnsCodesAndEchoedStrings()
    {
        var body = await (await PostAsync("/v2/models/string-labels/infer", """{"inputs":[{"name":"text","shape":[4],"datatype":"BYTES","data":["cat","bird","zebra","naïve 🐱"]}]}""")).ExpectAsync(200);

        var code = Output(body, "code");
        var echo = Output(body, "echo");
        Assert.Equal("INT64", code["datatype"]!.GetValue<string>());
        Assert.Equal("[0,2,-1,-1]", code["data"]!.ToJsonString());
        Assert.Equal("[4]", code["shape"]!.ToJsonString());
        Assert.Equal("BYTES", echo["datatype"]!.GetValue<string>());
        Assert.Equal(["cat", "bird", "zebra", "naïve 🐱"], echo["data"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task Infer_MultiInput_ReturnsEveryOutputFlat()
    {
        var body = await (await PostAsync("/v2/models/multi-input/infer", """
            {"inputs":[{"name":"b","shape":[2,3],"datatype":"FP32","data":[[10,20,30],[1,1,1]]},
                       {"name":"a","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}
            """)).ExpectAsync(200);

        Assert.Equal("[11,22,33,5,6,7]", Output(body, "sum")["data"]!.ToJsonString());
        Assert.Equal("[10,40,90,4,5,6]", Output(body, "product")["data"]!.ToJsonString());
        Assert.Equal("[2,3]", Output(body, "product")["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task Infer_MultiInputWithDifferentBatchSizes_Is400Error()
    {
        var message = await ExpectErrorAsync(await PostAsync("/v2/models/multi-input/infer", """
            {"inputs":[{"name":"a","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]},
                       {"name":"b","shape":[1,3],"datatype":"FP32","data":[1,1,1]}]}
            """), 400);

        Assert.Contains("inputs[1]", message);
    }

    [Fact]
    public async Task Infer_RequestedOutputs_ReturnsOnlyThoseInTheRequestedOrder()
    {
        var total = await (await PostAsync("/v2/models/int64-math/infer", """
            {"inputs":[{"name":"x","shape":[2,3],"datatype":"INT64","data":[1,2,3,4,5,6]}],"outputs":[{"name":"total"}]}
            """)).ExpectAsync(200);
        var both = await (await PostAsync("/v2/models/multi-input/infer", """
            {"inputs":[{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"name":"b","shape":[1,3],"datatype":"FP32","data":[2,2,2]}],
             "outputs":[{"name":"product"},{"name":"sum","parameters":{"binary_data":false}}]}
            """)).ExpectAsync(200);

        var only = total["outputs"]!.AsArray().Single()!;
        Assert.Equal("total", only["name"]!.GetValue<string>());
        Assert.Equal("[6,15]", only["data"]!.ToJsonString());
        Assert.Equal("[2]", only["shape"]!.ToJsonString());
        Assert.Equal(["product", "sum"], both["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        Assert.Equal("[2,4,6]", both["outputs"]![0]!["data"]!.ToJsonString());
        Assert.Equal("[3,4,5]", both["outputs"]![1]!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Infer_RequestedOutputTwice_ReturnsExactlyWhatWasAsked()
    {
        // As many outputs as requested, each the named one: never a silent swap for another output.
        var body = await (await PostAsync("/v2/models/multi-input/infer", """
            {"inputs":[{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"name":"b","shape":[1,3],"datatype":"FP32","data":[2,2,2]}],
             "outputs":[{"name":"sum"},{"name":"sum"}]}
            """)).ExpectAsync(200);

        var outputs = body["outputs"]!.AsArray();
        Assert.Equal(2, outputs.Count);
        Assert.All(outputs, o => Assert.Equal("sum", o!["name"]!.GetValue<string>()));
        Assert.All(outputs, o => Assert.Equal("[3,4,5]", o!["data"]!.ToJsonString()));
    }

    [Fact]
    public async Task Infer_RequestedOutputThatDoesNotExist_Is400NamingIt()
    {
        var message = await ExpectErrorAsync(await PostAsync("/v2/models/int64-math/infer", """
            {"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":[1,2,3]}],"outputs":[{"name":"total"},{"name":"average"}]}
            """), 400);

        Assert.Contains("outputs[1]", message);
        Assert.Contains("average", message);
    }

    [Fact]
    public async Task Infer_Id_IsEchoed_AndAbsentWhenNotSent()
    {
        var with = await (await PostAsync("/v2/models/identity-int8/infer", """{"id":"request-42 ✓","inputs":[{"name":"x","shape":[1,2],"datatype":"INT8","data":[1,2]}]}""")).ExpectAsync(200);
        var without = await (await PostAsync("/v2/models/identity-int8/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"INT8","data":[1,2]}]}""")).ExpectAsync(200);

        Assert.Equal("request-42 ✓", with["id"]!.GetValue<string>());
        Assert.Null(without["id"]);
    }

    [Theory]
    [InlineData("""{"shape":[1,2],"datatype":"INT8","data":[1,2],"name":"x"}""")]
    [InlineData("""{"data":[1,2],"name":"x","shape":[1,2],"datatype":"INT8"}""")]
    [InlineData("""{"datatype":"INT8","data":[[1,2]],"shape":[1,2],"name":"x"}""")]
    public async Task Infer_InputMembersInAnyOrder_NameAfterDataIncluded_AreServed(string input)
    {
        var body = await (await PostAsync("/v2/models/identity-int8/infer", $$"""{"inputs":[{{input}}]}""")).ExpectAsync(200);

        Assert.Equal("[1,2]", Output(body, "y")["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Infer_ParametersAreAccepted()
    {
        var body = await (await PostAsync("/v2/models/identity-int8/infer", """
            {"parameters":{"content_type":"np","priority":1,"timeout":30000000},
             "inputs":[{"name":"x","shape":[1,2],"datatype":"INT8","data":[1,2],"parameters":{"content_type":"np"}}]}
            """)).ExpectAsync(200);

        Assert.Equal("[1,2]", Output(body, "y")["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Infer_SequenceOfMapOutput_TravelsAsANumericTensorWithItsClasses()
    {
        var body = await (await PostAsync("/v2/models/zipmap-classifier/infer", """{"inputs":[{"name":"input","shape":[2,4],"datatype":"FP32","data":[0,0,4,0,1,0,0,0]}]}""")).ExpectAsync(200);

        Assert.Equal("[2,0]", Output(body, "output_label")["data"]!.ToJsonString());
        var probabilities = Output(body, "output_probability");
        Assert.Equal("FP32", probabilities["datatype"]!.GetValue<string>());
        Assert.Equal("[2,3]", probabilities["shape"]!.ToJsonString());
        Assert.Equal("""["a","b","c"]""", probabilities["parameters"]!["classes"]!.ToJsonString());
        var data = probabilities["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(6, data.Length);
        Assert.True(data[2] > 0.9, "row 0 is class c");
        Assert.True(data[3] > data[4] && data[3] > data[5], "row 1 is class a");
        Assert.Equal(1.0, data[0] + data[1] + data[2], 5);

        var metadata = await (await GetAsync("/v2/models/zipmap-classifier")).ExpectAsync(200);
        var described = metadata["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "output_probability")!;
        Assert.Equal("FP32", described["datatype"]!.GetValue<string>());
        Assert.Equal("[-1,3]", described["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task Infer_SequenceOfMapWithIntegerKeys_ColumnsInAscendingKeyOrder()
    {
        var body = await (await PostAsync("/v2/models/zipmap-int-classifier/infer", """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[0,0,4,0]}]}""")).ExpectAsync(200);

        var probabilities = Output(body, "output_probability");
        Assert.Equal("""["10","20","30"]""", probabilities["parameters"]!["classes"]!.ToJsonString());
        Assert.True(probabilities["data"]![2]!.GetValue<double>() > 0.9);
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Infer_InvalidInput_Is400WithOnlyAnErrorField()
    {
        var message = await ExpectErrorAsync(await PostAsync("/v2/models/identity-fp32/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"BYTES","data":["a","b"]}]}"""), 400);

        Assert.Contains("inputs[0].datatype", message);
    }

    [Fact]
    public async Task Infer_MalformedJson_Is400WithOnlyAnErrorField()
    {
        await ExpectErrorAsync(await PostAsync("/v2/models/identity-fp32/infer", """{"inputs":[{"name":"x","shape":[1,2],"""), 400);
    }

    [Fact]
    public async Task Infer_VersionThatFailedToLoad_Is503Error_WhileTheGoodVersionServes()
    {
        using var repository = new TestRepository()
            .AddFixture("identity-fp32", "m", 1)
            .WithFile(Path.Combine("m", "2", "model.onnx"), Encoding.UTF8.GetBytes("not an onnx model"))
            .WithConfig("m", """{"versionPolicy":{"all":true}}""");
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();
        const string Body = """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""";

        var message = await ExpectErrorAsync(await client.PostJsonAsync("/v2/models/m/versions/2/infer", Body).WaitAsync(Timeout), 503);
        var newestReady = await (await client.PostJsonAsync("/v2/models/m/infer", Body).WaitAsync(Timeout)).ExpectAsync(200);
        var versionReady = await client.GetAsync("/v2/models/m/versions/2/ready").WaitAsync(Timeout);
        await (await client.GetAsync("/v2/models/m/versions/1/ready").WaitAsync(Timeout)).ExpectAsync(200);

        Assert.Contains("2", message);
        Assert.Equal("1", newestReady["model_version"]!.GetValue<string>());
        Assert.NotEqual(200, (int)versionReady.StatusCode);
    }

    // ---- repository extension ------------------------------------------------------------------------------

    [Fact]
    public async Task RepositoryIndex_ListsEveryModelAndVersion_WithStateAndReasonForACorruptOne()
    {
        using var repository = new TestRepository()
            .AddFixture("identity-fp32", "good", 1, 2)
            .WithConfig("good", """{"versionPolicy":{"all":true}}""")
            .AddFixture("int64-math", "other")
            .WithFile(Path.Combine("broken", "1", "model.onnx"), [0x08, 0x01, 0xFF, 0xFF, 0xFF]);
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();

        var all = (await (await client.PostAsync("/v2/repository/index", null).WaitAsync(Timeout)).ExpectAsync(200)).AsArray();
        var ready = (await (await client.PostJsonAsync("/v2/repository/index", """{"ready":true}""").WaitAsync(Timeout)).ExpectAsync(200)).AsArray();

        string Row(JsonNode? r) => $"{r!["name"]}/{r["version"]}/{r["state"]}";
        Assert.Equal(["broken/1/UNAVAILABLE", "good/1/READY", "good/2/READY", "other/1/READY"], all.Select(Row).Order(StringComparer.Ordinal));
        var broken = all.Single(r => r!["name"]!.GetValue<string>() == "broken")!;
        Assert.False(string.IsNullOrWhiteSpace(broken["reason"]?.GetValue<string>()));
        Assert.Equal(["good/1/READY", "good/2/READY", "other/1/READY"], ready.Select(Row).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RepositoryUnloadThenLoad_InferIs404WhileUnloaded_And200AfterLoad()
    {
        using var repository = new TestRepository().AddFixture("identity-fp32", "m").AddFixture("identity-int8", "bystander");
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();
        const string Body = """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1.5,2]}]}""";

        await (await client.PostJsonAsync("/v2/models/m/infer", Body).WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal(200, (int)(await client.PostAsync("/v2/repository/models/m/unload", null).WaitAsync(Timeout)).StatusCode);
        await ExpectErrorAsync(await client.PostJsonAsync("/v2/models/m/infer", Body).WaitAsync(Timeout), 404);
        await ExpectErrorAsync(await client.GetAsync("/v2/models/m/ready").WaitAsync(Timeout), 404);
        await (await client.PostJsonAsync("/v2/models/bystander/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"INT8","data":[1,2]}]}""").WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal(200, (int)(await client.PostAsync("/v2/repository/models/m/load", null).WaitAsync(Timeout)).StatusCode);
        var after = await (await client.PostJsonAsync("/v2/models/m/infer", Body).WaitAsync(Timeout)).ExpectAsync(200);
        await (await client.GetAsync("/v2/models/m/ready").WaitAsync(Timeout)).ExpectAsync(200);

        Assert.Equal("[1.5,2]", Output(after, "y")["data"]!.ToJsonString());
    }

    [Fact]
    public async Task RepositoryLoad_PicksUpAModelFolderAddedAfterStartUp()
    {
        using var repository = new TestRepository().AddFixture("identity-fp32", "first");
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();
        const string Body = """{"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":[1,2,3]}]}""";

        await ExpectErrorAsync(await client.PostJsonAsync("/v2/models/late/infer", Body).WaitAsync(Timeout), 404);
        repository.AddFixture("int64-math", "late");
        Assert.Equal(200, (int)(await client.PostAsync("/v2/repository/models/late/load", null).WaitAsync(Timeout)).StatusCode);
        var body = await (await client.PostJsonAsync("/v2/models/late/infer", Body).WaitAsync(Timeout)).ExpectAsync(200);

        Assert.Equal("[6]", Output(body, "total")["data"]!.ToJsonString());
    }

    [Fact]
    public async Task RepositoryLoadAndUnload_UnknownModel_Are404Errors()
    {
        using var repository = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();

        await ExpectErrorAsync(await client.PostAsync("/v2/repository/models/nope/load", null).WaitAsync(Timeout), 404);
        await ExpectErrorAsync(await client.PostAsync("/v2/repository/models/nope/unload", null).WaitAsync(Timeout), 404);
        await ExpectErrorAsync(await client.PostAsync("/v2/repository/models/..%2F..%2Fetc/load", null).WaitAsync(Timeout), 404);
        Assert.Equal(200, (int)(await client.PostAsync("/v2/repository/models/m/unload", null).WaitAsync(Timeout)).StatusCode);
        await ExpectErrorAsync(await client.PostAsync("/v2/repository/models/m/unload", null).WaitAsync(Timeout), 404);
    }

    [Fact]
    public async Task RepositoryLoad_CorruptModel_IsAnErrorNamingTheModel_AndOthersKeepServing()
    {
        using var repository = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repository.Path);
        var client = await factory.StartAsync();
        repository.WithFile(Path.Combine("corrupt", "1", "model.onnx"), Encoding.UTF8.GetBytes("garbage"));

        var response = await client.PostAsync("/v2/repository/models/corrupt/load", null).WaitAsync(Timeout);
        var message = await ExpectErrorAsync(response, 400);
        await (await client.PostJsonAsync("/v2/models/m/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""").WaitAsync(Timeout)).ExpectAsync(200);
        var index = (await (await client.PostAsync("/v2/repository/index", null).WaitAsync(Timeout)).ExpectAsync(200)).AsArray();

        Assert.Contains("corrupt", message);
        Assert.Contains(index, r => r!["name"]!.GetValue<string>() == "corrupt" && r["state"]!.GetValue<string>() == "UNAVAILABLE");
    }

    [Fact]
    public async Task Infer_WrongContentType_Is415Error()
    {
        var content = new StringContent("""{"inputs":[]}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");

        await ExpectErrorAsync(await _client.PostAsync("/v2/models/identity-fp32/infer", content).WaitAsync(Timeout), 415);
    }
}
