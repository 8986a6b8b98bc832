using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.OpenInference;

/// <summary>
/// The binary tensor extension on <c>/v2/.../infer</c>: raw inputs after a JSON header (mixed with JSON inputs), binary
/// outputs on request, BYTES with length prefixes, and a 400 naming the input for every way the binary part can be wrong.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BinaryTensorTests : IClassFixture<BinaryTensorTests.FixtureServer>
{
    private readonly HttpClient _client;

    public BinaryTensorTests(FixtureServer server) => _client = server.Client;

    public sealed class FixtureServer() : SharedServer(new TestRepository()
        .AddFixture("identity-fp16").AddFixture("identity-fp32").AddFixture("identity-bool").AddFixture("string-labels")
        .AddFixture("multi-input").AddFixture("zipmap-classifier"));

    private static JsonObject BinaryInput(string name, string datatype, long[] shape, long size) => new()
    {
        ["name"] = name,
        ["datatype"] = datatype,
        ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode?)d)]),
        ["parameters"] = new JsonObject { ["binary_data_size"] = size },
    };

    private static JsonObject Body(params JsonNode[] inputs) => new() { ["inputs"] = new JsonArray(inputs) };

    private Task<HttpResponseMessage> PostAsync(string model, HttpContent content) => _client.PostAsync(new Uri($"/v2/models/{model}/infer", UriKind.Relative), content);

    [Fact]
    public async Task ServerMetadata_ListsTheExtension()
    {
        var body = await (await _client.GetAsync(new Uri("/v2", UriKind.Relative))).ExpectAsync(200);
        Assert.Contains("binary_tensor_data", body["extensions"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public async Task Fp16_RoundTripsBitForBit_AsBinaryOutput()
    {
        Half[] values = [(Half)1.5, (Half)(-0.25), Half.MaxValue, (Half)0.0009765625];
        var data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var json = Body(BinaryInput("x", "FP16", [2, 2], data.Length));
        json["id"] = "fp16";
        json["parameters"] = new JsonObject { ["binary_data_output"] = true };
        var (header, raw) = await BinaryTensorBody.ReadAsync(await PostAsync("identity-fp16", BinaryTensorBody.Request(json, data)));
        Assert.Equal("fp16", header["id"]!.GetValue<string>());
        var output = header["outputs"]![0]!;
        Assert.Equal("[2,2]", output["shape"]!.ToJsonString());
        Assert.Equal(8, output["parameters"]!["binary_data_size"]!.GetValue<int>());
        Assert.Null(output["data"]);
        Assert.Equal(data, raw);
    }

    [Fact]
    public async Task Bytes_RoundTripWithLengthPrefixes_AndOutputsChooseBinaryOneByOne()
    {
        var data = BinaryTensorBody.Strings("dog", "", "ünïcødé ✓");
        var json = Body(BinaryInput("text", "BYTES", [3], data.Length));
        json["outputs"] = new JsonArray(
            new JsonObject { ["name"] = "echo", ["parameters"] = new JsonObject { ["binary_data"] = true } },
            new JsonObject { ["name"] = "code" });
        var (header, raw) = await BinaryTensorBody.ReadAsync(await PostAsync("string-labels", BinaryTensorBody.Request(json, data)));
        var echo = header["outputs"]![0]!;
        Assert.Equal("echo", echo["name"]!.GetValue<string>());
        Assert.Equal(data.Length, echo["parameters"]!["binary_data_size"]!.GetValue<int>());
        Assert.Equal(["dog", "", "ünïcødé ✓"], BinaryTensorBody.ReadStrings(raw));
        Assert.Equal("[1,-1,-1]", header["outputs"]![1]!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task BinaryAndJsonInputs_Mix_AndWithoutBinaryOutputsTheAnswerIsPlainJson()
    {
        float[] a = [1, 2, 3, 4, 5, 6];
        var json = Body(
            BinaryInput("a", "FP32", [2, 3], 24),
            new JsonObject { ["name"] = "b", ["datatype"] = "FP32", ["shape"] = new JsonArray(2, 3), ["data"] = new JsonArray(10, 20, 30, 40, 50, 60) });
        var response = await PostAsync("multi-input", BinaryTensorBody.Request(json, MemoryMarshal.AsBytes(a.AsSpan()).ToArray(), contentType: null));
        Assert.False(response.Headers.Contains(BinaryTensorBody.Header));
        var body = await response.ExpectAsync(200);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var sum = body["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "sum")!;
        Assert.Equal("[11,22,33,44,55,66]", sum["data"]!.ToJsonString());
    }

    [Fact]
    public async Task TwoBinaryInputs_EachTakeTheirBytesInOrder()
    {
        float[] a = [1.5f, 2, 3, 4, 5, 6];
        float[] b = [1, 1, 1, 2, 2, 2];
        var json = Body(BinaryInput("a", "FP32", [2, 3], 24), BinaryInput("b", "FP32", [2, 3], 24));
        var data = MemoryMarshal.AsBytes(a.AsSpan()).ToArray().Concat(MemoryMarshal.AsBytes(b.AsSpan()).ToArray()).ToArray();
        var body = await (await PostAsync("multi-input", BinaryTensorBody.Request(json, data))).ExpectAsync(200);
        Assert.Equal("[1.5,2,3,8,10,12]", body["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "product")!["data"]!.ToJsonString());

        var bools = AsBinaryOutput(Body(BinaryInput("x", "BOOL", [1, 2], 2)));
        var (_, raw) = await BinaryTensorBody.ReadAsync(await PostAsync("identity-bool", BinaryTensorBody.Request(bools, [1, 0])));
        Assert.Equal([1, 0], raw);
    }

    private static JsonObject AsBinaryOutput(JsonObject json)
    {
        json["parameters"] = new JsonObject { ["binary_data_output"] = true };
        return json;
    }

    [Fact]
    public async Task MapOutput_AsBinary_KeepsItsClasses()
    {
        float[] row = [1, 0, 0, 0];
        var json = AsBinaryOutput(Body(BinaryInput("input", "FP32", [1, 4], 16)));
        var (header, raw) = await BinaryTensorBody.ReadAsync(await PostAsync("zipmap-classifier", BinaryTensorBody.Request(json, MemoryMarshal.AsBytes(row.AsSpan()).ToArray())));
        var map = header["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "output_probability")!;
        Assert.Equal("""["a","b","c"]""", map["parameters"]!["classes"]!.ToJsonString());
        Assert.Equal(8 + 12, raw.Length);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "binary_data_size disagrees with the shape", "inputs[0].parameters.binary_data_size" },
        { "binary_data_size past the body", "inputs[0].parameters.binary_data_size" },
        { "header length past the body", "Inference-Header-Content-Length" },
        { "header length not a number", "Inference-Header-Content-Length" },
        { "BYTES length prefix past the end", "inputs[0]" },
        { "BYTES not UTF-8", "inputs[0]" },
        { "BOOL byte not 0 or 1", "inputs[0]" },
        { "bytes left over", "body" },
        { "data and binary_data_size", "inputs[0].data" },
        { "binary_data_size without the header", "inputs[0].parameters.binary_data_size" },
        { "binary_data_size not a number", "inputs[0].parameters.binary_data_size" },
        { "binary_data_output not a boolean", "parameters.binary_data_output" },
        { "binary_data not a boolean", "outputs[0].parameters.binary_data" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBinaryRequest_Is400_NamingTheField(string what, string field)
    {
        var model = what.StartsWith("BYTES", StringComparison.Ordinal) ? "string-labels" : what.StartsWith("BOOL", StringComparison.Ordinal) ? "identity-bool" : "identity-fp32";
        var name = model == "string-labels" ? "text" : "x";
        var datatype = model == "string-labels" ? "BYTES" : model == "identity-bool" ? "BOOL" : "FP32";
        long[] shape = model == "string-labels" ? [2] : [1, 2];
        var json = Body(BinaryInput(name, datatype, shape, 8));
        var data = new byte[8];
        int? headerLength = null;
        HttpContent? content = null;
        switch (what)
        {
            case "binary_data_size disagrees with the shape":
                json = Body(BinaryInput(name, datatype, shape, 6));
                data = new byte[6];
                break;
            case "binary_data_size past the body":
                data = new byte[5];
                break;
            case "header length past the body":
                headerLength = 10_000;
                break;
            case "header length not a number":
                content = BinaryTensorBody.Request(json, data);
                content.Headers.Remove(BinaryTensorBody.Header);
                content.Headers.Add(BinaryTensorBody.Header, "12abc");
                break;
            case "BYTES length prefix past the end":
                data = [.. BinaryTensorBody.Strings("a"), 100, 0, 0];
                json = Body(BinaryInput(name, datatype, shape, data.Length));
                break;
            case "BYTES not UTF-8":
                data = [.. BinaryTensorBody.Strings("a"), 1, 0, 0, 0, 0xFF];
                json = Body(BinaryInput(name, datatype, shape, data.Length));
                break;
            case "BOOL byte not 0 or 1":
                data = [1, 7];
                json = Body(BinaryInput(name, datatype, shape, 2));
                break;
            case "bytes left over":
                data = new byte[12];
                break;
            case "data and binary_data_size":
                json["inputs"]![0]!["data"] = new JsonArray(1, 2);
                break;
            case "binary_data_size without the header":
                content = new StringContent(json.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
                break;
            case "binary_data_size not a number":
                json["inputs"]![0]!["parameters"]!["binary_data_size"] = "eight";
                break;
            case "binary_data_output not a boolean":
                json["parameters"] = new JsonObject { ["binary_data_output"] = "yes" };
                break;
            default:
                json["outputs"] = new JsonArray(new JsonObject { ["name"] = "y", ["parameters"] = new JsonObject { ["binary_data"] = 1 } });
                break;
        }

        var response = await PostAsync(model, content ?? BinaryTensorBody.Request(json, data, headerLength: headerLength));
        var body = await response.ExpectAsync(400);
        Assert.Contains(field + ":", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherContentTypes_Are415_AndOctetStreamNeedsTheHeader()
    {
        var json = Body(BinaryInput("x", "FP32", [1, 2], 8));
        await (await PostAsync("identity-fp32", BinaryTensorBody.Request(json, new byte[8], contentType: "text/plain"))).ExpectAsync(415);
        using var noHeader = new ByteArrayContent(new byte[8]);
        noHeader.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync("identity-fp32", noHeader)).StatusCode);
        var raw = BinaryTensorBody.Request(json, new byte[8], headerLength: 0);
        Assert.Contains("Inference-Header-Content-Length", (await (await PostAsync("identity-fp32", raw)).ExpectAsync(400))["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
