using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Validation;

/// <summary>
/// Hostile bodies against both APIs: every one is answered with a 4xx and a JSON body (never a 500, a hang or a
/// crash), and the server keeps answering valid requests correctly afterwards, including under concurrency.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class HostileInputTests : IClassFixture<HostileInputTests.FixtureServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly string LongString = new('a', 10_000);

    private readonly HttpClient _client;

    public HostileInputTests(FixtureServer server) => _client = server.Client;

    public sealed class FixtureServer() : SharedServer(
        new TestRepository()
                .AddFixture("identity-fp32", "id")
                .AddFixture("fp64-regressor", "reg")
                .AddFixture("string-labels", "text")
                .AddFixture("multi-input", "multi")
                .AddFixture("dynamic-hw", "images")
                .AddFixture("identity-int8", "i8")
                .AddFixture("identity-uint64", "u64")
                .AddFixture("identity-fp16", "f16")
                .AddModelFolder(TestRepository.SamplesPath, "wine-classifier", "wine"))
    {
    }

    private const string Predict = "/predict";
    private const string Infer = "/v2/models/id/infer";

    private static string Nest(int depth, string inner) => new string('[', depth) + inner + new string(']', depth);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The text as UTF-8 with <c>@BAD@</c> replaced by invalid UTF-8 (0xFF and 0xC3 0x28 never occur in UTF-8).</summary>
    private static byte[] WithInvalidUtf8(string text)
    {
        var at = text.IndexOf("@BAD@", StringComparison.Ordinal);
        return [.. Utf8(text[..at]), 0xFF, 0xC3, 0x28, .. Utf8(text[(at + 5)..])];
    }

    private static string Tensor(string name, string shape, string datatype, string data) =>
        $$"""{"inputs":[{"name":"{{name}}","shape":{{shape}},"datatype":"{{datatype}}","data":{{data}}}]}""";

    private static readonly Dictionary<string, (string Path, Func<byte[]> Body)> Cases = new()
    {
        // ---- /predict ----
        ["predict: 10k-deep nested instances"] = (Predict, () => Utf8($$"""{"model":"id","instances":{{Nest(10_000, "1")}}}""")),
        ["predict: 60-deep nested row"] = (Predict, () => Utf8($$"""{"model":"id","instances":[{{Nest(60, "1")}}]}""")),
        ["predict: 10k-deep parameters"] = (Predict, () => Utf8($$"""{"model":"id","instances":[[1,2]],"parameters":{{Nest(10_000, "")}}}""")),
        ["predict: 1e400 for FP32"] = (Predict, () => Utf8("""{"model":"id","instances":[[1e400,1]]}""")),
        ["predict: -1e400 for FP64"] = (Predict, () => Utf8("""{"model":"reg","instances":[[-1e400,1]]}""")),
        ["predict: 5000-digit number"] = (Predict, () => Utf8($$"""{"model":"reg","instances":[[1{{new string('0', 5000)}},1]]}""")),
        ["predict: 1e400 for INT8"] = (Predict, () => Utf8("""{"model":"i8","instances":[[1e400,1]]}""")),
        ["predict: object where a number belongs"] = (Predict, () => Utf8("""{"model":"id","instances":[[{"a":1},2]]}""")),
        ["predict: array where a number belongs"] = (Predict, () => Utf8("""{"model":"id","instances":[[[1],2]]}""")),
        ["predict: boolean where a number belongs"] = (Predict, () => Utf8("""{"model":"id","instances":[[true,2]]}""")),
        ["predict: numeric string"] = (Predict, () => Utf8("""{"model":"id","instances":[["1.5",2]]}""")),
        ["predict: hex number"] = (Predict, () => Utf8("""{"model":"id","instances":[[0x10,2]]}""")),
        ["predict: null element"] = (Predict, () => Utf8("""{"model":"id","instances":[[null,1]]}""")),
        ["predict: null row"] = (Predict, () => Utf8("""{"model":"id","instances":[null]}""")),
        ["predict: null instances"] = (Predict, () => Utf8("""{"model":"id","instances":null}""")),
        ["predict: null model"] = (Predict, () => Utf8("""{"model":null,"instances":[[1,2]]}""")),
        ["predict: null body"] = (Predict, () => Utf8("null")),
        ["predict: empty body"] = (Predict, () => []),
        ["predict: whitespace body"] = (Predict, () => Utf8("  \n\t ")),
        ["predict: top-level array"] = (Predict, () => Utf8("""[{"model":"id","instances":[[1,2]]}]""")),
        ["predict: top-level string"] = (Predict, () => Utf8("\"instances\"")),
        ["predict: empty instances"] = (Predict, () => Utf8("""{"model":"id","instances":[]}""")),
        ["predict: empty row"] = (Predict, () => Utf8("""{"model":"id","instances":[[]]}""")),
        ["predict: scalars as rows"] = (Predict, () => Utf8("""{"model":"id","instances":[1,2]}""")),
        ["predict: ragged rows"] = (Predict, () => Utf8("""{"model":"id","instances":[[1,2],[1]]}""")),
        ["predict: ragged images"] = (Predict, () => Utf8("""{"model":"images","instances":[[[[1,2],[3]]]]}""")),
        ["predict: empty image"] = (Predict, () => Utf8("""{"model":"images","instances":[[[]]]}""")),
        ["predict: 100k-wide row"] = (Predict, () => Utf8($$"""{"model":"id","instances":[[{{string.Join(",", Enumerable.Repeat("1", 100_000))}}]]}""")),
        ["predict: rows over the limit"] = (Predict, () => Utf8($$"""{"model":"id","instances":[{{string.Join(",", Enumerable.Repeat("[1,2]", 5000))}}]}""")),
        ["predict: duplicate model key"] = (Predict, () => Utf8("""{"model":"id","model":"reg","instances":[[1,2]]}""")),
        ["predict: duplicate instances key"] = (Predict, () => Utf8("""{"model":"id","instances":[[1,2]],"instances":[[3,4]]}""")),
        ["predict: duplicate feature key"] = (Predict, () => Utf8("""{"model":"wine","instances":[{"alcohol":1,"alcohol":2}]}""")),
        ["predict: duplicate input key"] = (Predict, () => Utf8("""{"model":"multi","inputs":{"a":[[1,2,3]],"a":[[1,2,3]],"b":[[1,2,3]]}}""")),
        ["predict: duplicate parameters key"] = (Predict, () => Utf8("""{"model":"id","parameters":{},"instances":[[1,2]],"parameters":{"a":1}}""")),
        ["predict: duplicate input in a row"] = (Predict, () => Utf8("""{"model":"multi","instances":[{"a":[1,2,3],"a":[1,2,3],"b":[1,2,3]}]}""")),
        ["predict: truncated"] = (Predict, () => Utf8("""{"model":"id","instances":[[1,2]""")),
        ["predict: truncated mid-number"] = (Predict, () => Utf8("""{"model":"id","instances":[[1.""")),
        ["predict: trailing garbage"] = (Predict, () => Utf8("""{"model":"id","instances":[[1,2]]} trailing""")),
        ["predict: second JSON document"] = (Predict, () => Utf8("""{"model":"id","instances":[[1,2]]}{"model":"reg"}""")),
        ["predict: invalid UTF-8 in the model name"] = (Predict, () => WithInvalidUtf8("""{"model":"id@BAD@","instances":[[1,2]]}""")),
        ["predict: invalid UTF-8 in a property name"] = (Predict, () => WithInvalidUtf8("""{"model":"id","in@BAD@stances":[[1,2]]}""")),
        ["predict: invalid UTF-8 between tokens"] = (Predict, () => WithInvalidUtf8("""{"model":"id",@BAD@"instances":[[1,2]]}""")),
        ["predict: invalid UTF-8 in a string input"] = (Predict, () => WithInvalidUtf8("""{"model":"text","instances":["cat@BAD@"]}""")),
        ["predict: invalid UTF-8 in a feature name"] = (Predict, () => WithInvalidUtf8("""{"model":"wine","instances":[{"alco@BAD@hol":1}]}""")),
        ["predict: lone surrogate in the model name"] = (Predict, () => Utf8("""{"model":"\ud800","instances":[[1,2]]}""")),
        ["predict: lone surrogate in a string input"] = (Predict, () => Utf8("""{"model":"text","instances":["cat","\udc00"]}""")),
        ["predict: lone surrogate in a feature name"] = (Predict, () => Utf8("""{"model":"wine","instances":[{"\ud800":1}]}""")),
        ["predict: lone surrogate in an input name"] = (Predict, () => Utf8("""{"model":"multi","inputs":{"\ud800":[[1,2,3]]}}""")),
        ["predict: lone surrogate as an unknown field"] = (Predict, () => Utf8("""{"model":"id","\ud800":1,"instances":[[1,2]]}""")),
        ["predict: 10k-char model name"] = (Predict, () => Utf8($$"""{"model":"{{LongString}}","instances":[[1,2]]}""")),
        ["predict: 10k-char feature name"] = (Predict, () => Utf8($$"""{"model":"wine","instances":[{"{{LongString}}":1}]}""")),
        ["predict: 10k-char string for a number"] = (Predict, () => Utf8($$"""{"model":"id","instances":[["{{LongString}}",1]]}""")),
        ["predict: 10k-char version"] = (Predict, () => Utf8($$"""{"model":"id","version":"{{new string('9', 10_000)}}","instances":[[1,2]]}""")),
        ["predict: inputs as a string"] = (Predict, () => Utf8("""{"model":"id","inputs":"x"}""")),
        ["predict: inputs as an array"] = (Predict, () => Utf8("""{"model":"id","inputs":[[1,2]]}""")),
        ["predict: null input tensor"] = (Predict, () => Utf8("""{"model":"id","inputs":{"x":null}}""")),
        ["predict: 10k-deep input tensor"] = (Predict, () => Utf8("""{"model":"id","inputs":{"x":""" + Nest(10_000, "1") + "}}")),
        ["predict: inputs with mismatched batch"] = (Predict, () => Utf8("""{"model":"multi","inputs":{"a":[[1,2,3],[4,5,6]],"b":[[1,2,3]]}}""")),
        ["predict: instances as a number"] = (Predict, () => Utf8("""{"model":"id","instances":5}""")),
        ["predict: version as an object"] = (Predict, () => Utf8("""{"model":"id","version":{"v":1},"instances":[[1,2]]}""")),
        ["predict: version as a fraction"] = (Predict, () => Utf8("""{"model":"id","version":1.5,"instances":[[1,2]]}""")),
        ["predict: negative version"] = (Predict, () => Utf8("""{"model":"id","version":-1,"instances":[[1,2]]}""")),
        ["predict: path-like model name"] = (Predict, () => Utf8("""{"model":"../id","instances":[[1,2]]}""")),
        ["predict: NUL model name"] = (Predict, () => Utf8("""{"model":"id\u0000","instances":[[1,2]]}""")),
        ["predict: NaN literal"] = (Predict, () => Utf8("""{"model":"id","instances":[[NaN,1]]}""")),
        ["predict: NaN string without opt-in"] = (Predict, () => Utf8("""{"model":"id","instances":[["NaN",1]]}""")),

        // ---- /v2 infer ----
        ["v2: 10k-deep data"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", Nest(10_000, "1")))),
        ["v2: 60-deep data"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", Nest(60, "1,2")))),
        ["v2: 1e400"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "[1e400,1]"))),
        ["v2: 1e5 for FP16"] = ("/v2/models/f16/infer", () => Utf8(Tensor("x", "[1,2]", "FP16", "[1e5,1]"))),
        ["v2: -1 for UINT64"] = ("/v2/models/u64/infer", () => Utf8(Tensor("x", "[1,2]", "UINT64", "[-1,1]"))),
        ["v2: 2^64 for UINT64"] = ("/v2/models/u64/infer", () => Utf8(Tensor("x", "[1,2]", "UINT64", "[18446744073709551616,1]"))),
        ["v2: -129 for INT8"] = ("/v2/models/i8/infer", () => Utf8(Tensor("x", "[1,2]", "INT8", "[-129,1]"))),
        ["v2: negative dim"] = (Infer, () => Utf8(Tensor("x", "[-1,2]", "FP32", "[1,2]"))),
        ["v2: zero dim"] = (Infer, () => Utf8(Tensor("x", "[0,2]", "FP32", "[]"))),
        ["v2: int64-max dim"] = (Infer, () => Utf8(Tensor("x", "[9223372036854775807,2]", "FP32", "[1,2]"))),
        ["v2: dims overflowing int64"] = (Infer, () => Utf8(Tensor("x", "[4611686018427387904,2]", "FP32", "[1,2]"))),
        ["v2: dims multiplying past 2^64"] = ("/v2/models/images/infer", () => Utf8(Tensor("image", "[1,1,4294967296,4294967296]", "FP32", "[]"))),
        ["v2: huge dims with a tiny payload"] = ("/v2/models/images/infer", () => Utf8(Tensor("image", "[1,1,65536,65536]", "FP32", "[1]"))),
        ["v2: dim beyond int64"] = (Infer, () => Utf8(Tensor("x", "[1e30,2]", "FP32", "[1,2]"))),
        ["v2: fractional dim"] = (Infer, () => Utf8(Tensor("x", "[1.5,2]", "FP32", "[1,2]"))),
        ["v2: string dims"] = (Infer, () => Utf8(Tensor("x", "[\"1\",\"2\"]", "FP32", "[1,2]"))),
        ["v2: null shape"] = (Infer, () => Utf8(Tensor("x", "null", "FP32", "[1,2]"))),
        ["v2: nested shape"] = (Infer, () => Utf8(Tensor("x", "[[1,2]]", "FP32", "[1,2]"))),
        ["v2: more data than shape"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "[1,2,3]"))),
        ["v2: less data than shape"] = (Infer, () => Utf8(Tensor("x", "[2,2]", "FP32", "[1]"))),
        ["v2: empty data"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "[]"))),
        ["v2: data as an object"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", """{"a":1}"""))),
        ["v2: data as a string"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "\"1,2\""))),
        ["v2: data null"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "null"))),
        ["v2: null element"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "[null,1]"))),
        ["v2: object element"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", """[{"v":1},1]"""))),
        ["v2: ragged data"] = (Infer, () => Utf8(Tensor("x", "[2,2]", "FP32", "[[1,2],[3]]"))),
        ["v2: values and arrays mixed"] = (Infer, () => Utf8(Tensor("x", "[2,2]", "FP32", "[[1,2],3,4]"))),
        ["v2: 10k-char string for a number"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", $"[\"{LongString}\",1]"))),
        ["v2: 10k-char input name"] = (Infer, () => Utf8(Tensor(LongString, "[1,2]", "FP32", "[1,2]"))),
        ["v2: 10k-char datatype"] = (Infer, () => Utf8(Tensor("x", "[1,2]", LongString, "[1,2]"))),
        ["v2: inputs as a string"] = (Infer, () => Utf8("""{"inputs":"x"}""")),
        ["v2: inputs null"] = (Infer, () => Utf8("""{"inputs":null}""")),
        ["v2: inputs empty"] = (Infer, () => Utf8("""{"inputs":[]}""")),
        ["v2: null input"] = (Infer, () => Utf8("""{"inputs":[null]}""")),
        ["v2: number input"] = (Infer, () => Utf8("""{"inputs":[1]}""")),
        ["v2: name null"] = (Infer, () => Utf8("""{"inputs":[{"name":null,"shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: name as a number"] = (Infer, () => Utf8("""{"inputs":[{"name":1,"shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: datatype null"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":null,"data":[1,2]}]}""")),
        ["v2: datatype with NUL"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32\\u0000", "[1,2]"))),
        ["v2: duplicate input"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]},{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: duplicate inputs key"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[3,4]}]}""")),
        ["v2: duplicate data key"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2],"data":[3,4]}]}""")),
        ["v2: duplicate parameters key"] = (Infer, () => Utf8("""{"parameters":{},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"parameters":{"timeout":1}}""")),
        ["v2: duplicate timeout key"] = (Infer, () => Utf8("""{"parameters":{"timeout":60000000,"timeout":1},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: duplicate shape key"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[2,2],"shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: mismatched batch sizes"] = ("/v2/models/multi/infer", () => Utf8("""{"inputs":[{"name":"a","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]},{"name":"b","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""")),
        ["v2: truncated"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2""")),
        ["v2: trailing garbage"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "[1,2]") + " ]")),
        ["v2: invalid UTF-8 in the input name"] = (Infer, () => WithInvalidUtf8("""{"inputs":[{"name":"x@BAD@","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: invalid UTF-8 in the id"] = (Infer, () => WithInvalidUtf8("""{"id":"a@BAD@","inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: invalid UTF-8 in BYTES data"] = ("/v2/models/text/infer", () => WithInvalidUtf8("""{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["cat@BAD@"]}]}""")),
        ["v2: lone surrogate in the input name"] = (Infer, () => Utf8(Tensor("\\ud800", "[1,2]", "FP32", "[1,2]"))),
        ["v2: lone surrogate in the id"] = (Infer, () => Utf8("""{"id":"\udfff","inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: lone surrogate in BYTES data"] = ("/v2/models/text/infer", () => Utf8(Tensor("text", "[1]", "BYTES", "[\"\\ud800\"]"))),
        ["v2: lone surrogate in an output name"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"outputs":[{"name":"\ud800"}]}""")),
        ["v2: outputs as an object"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"outputs":{"name":"y"}}""")),
        ["v2: unknown output"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"outputs":[{"name":"z"}]}""")),
        ["v2: output name as a number"] = (Infer, () => Utf8("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"outputs":[{"name":5}]}""")),
        ["v2: parameters as an array"] = (Infer, () => Utf8("""{"parameters":[1],"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: timeout as a string"] = (Infer, () => Utf8("""{"parameters":{"timeout":"5"},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: timeout beyond int64"] = (Infer, () => Utf8("""{"parameters":{"timeout":1e30},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: id as an object"] = (Infer, () => Utf8("""{"id":{},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: 10k-deep parameters"] = (Infer, () => Utf8("""{"parameters":{"p":""" + Nest(10_000, string.Empty) + ""","inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""")),
        ["v2: top-level array"] = (Infer, () => Utf8("[]")),
        ["v2: null body"] = (Infer, () => Utf8("null")),
        ["v2: empty body"] = (Infer, () => []),
        ["v2: rows over the limit"] = (Infer, () => Utf8(Tensor("x", "[5000,2]", "FP32", "[" + string.Join(",", Enumerable.Repeat("1,2", 5000)) + "]"))),
        ["v2: version 0"] = ("/v2/models/id/versions/0/infer", () => Utf8(Tensor("x", "[1,2]", "FP32", "[1,2]"))),
        ["v2: version beyond int64"] = ("/v2/models/id/versions/99999999999999999999/infer", () => Utf8(Tensor("x", "[1,2]", "FP32", "[1,2]"))),
        ["v2: non-numeric version"] = ("/v2/models/id/versions/latest/infer", () => Utf8(Tensor("x", "[1,2]", "FP32", "[1,2]"))),
        ["v2: encoded path in the model name"] = ("/v2/models/..%2Fid/infer", () => Utf8(Tensor("x", "[1,2]", "FP32", "[1,2]"))),
        ["v2: NaN string without opt-in"] = (Infer, () => Utf8(Tensor("x", "[1,2]", "FP32", "[\"NaN\",1]"))),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task HostileBody_Is4xxWithJsonBody_AndTheServerStillAnswersCorrectly(string name)
    {
        var (path, body) = Cases[name];
        var content = new ByteArrayContent(body());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await _client.PostAsync(path, content).WaitAsync(Timeout);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{name}: expected a 4xx, got {status}: {text}");
        var json = JsonNode.Parse(text);
        Assert.NotNull(json);
        if (path.StartsWith("/v2", StringComparison.Ordinal))
        {
            Assert.False(string.IsNullOrWhiteSpace(json["error"]?.GetValue<string>()), $"{name}: {text}");
        }
        else
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(status, json["status"]!.GetValue<int>());
        }

        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData(Predict, """{"model":"id","parameters":{},"instances":[[1,2]],"parameters":{}}""", "parameters")]
    [InlineData(Infer, """{"parameters":{},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"parameters":{}}""", "parameters")]
    [InlineData(Infer, """{"parameters":{"timeout":60000000,"timeout":1},"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""", "parameters.timeout")]
    public async Task RepeatedParameters_Are400NamingThem_LikeEveryOtherRepeatedMember(string path, string body, string field)
    {
        var json = await (await _client.PostJsonAsync(path, body).WaitAsync(Timeout)).ExpectAsync(400);

        var message = path == Predict ? json["errors"]![field]![0]!.GetValue<string>() : json["error"]!.GetValue<string>();
        Assert.Contains($"'{field}' is given more than once", message, StringComparison.Ordinal);
    }

    private async Task AssertStillServingAsync()
    {
        var predict = await (await _client.PostJsonAsync(Predict, """{"model":"reg","instances":[[1,2],[-0.5,0.25]]}""").WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal("[[8.5],[0.25]]", new JsonArray([.. predict["predictions"]!.AsArray().Select(p => p!["y"]!.DeepClone())]).ToJsonString());

        var infer = await (await _client.PostJsonAsync(Infer, Tensor("x", "[1,2]", "FP32", "[1.25,-3]")).WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal("[1.25,-3]", infer["outputs"]![0]!["data"]!.ToJsonString());

        var text = await (await _client.PostJsonAsync("/v2/models/text/infer", Tensor("text", "[2]", "BYTES", """["dog","🐱"]""")).WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal("[1,-1]", text["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "code")!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task ConcurrentValidAndInvalidRequests_EachValidAnswerIsItsOwn_EachInvalidIs400()
    {
        const int Count = 64;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<string?> RunAsync(int i)
        {
            await gate.Task;
            var a = i + 0.25;
            var b = (i * 2) - 0.5;
            var f = (float)(i + 0.5);
            var (path, body, valid, expected) = (i % 4) switch
            {
                // fp64-regressor rows by position: y = 2·x0 + 3·x1 + 0.5, two rows per request.
                0 => (Predict, $$"""{"model":"reg","instances":[[{{F(a)}},{{F(b)}}],[{{F(b)}},{{F(a)}}]]}""", true,
                    $"[[{F((2 * a) + (3 * b) + 0.5)}],[{F((2 * b) + (3 * a) + 0.5)}]]"),

                // identity-fp32 over OIP: the data comes back unchanged.
                1 => (Infer, Tensor("x", "[2,2]", "FP32", $"[{F(f)},{F(-f)},{i},{-i}]"), true, $"[{F(f)},{F(-f)},{i},{-i}]"),

                // fp64-regressor over OIP with a row count that differs per request.
                2 => ("/v2/models/reg/infer", Tensor("x", $"[{1 + (i % 3)},2]", "FP64", "[" + string.Join(",", Enumerable.Repeat($"{F(a)},{F(b)}", 1 + (i % 3))) + "]"), true,
                    "[" + string.Join(",", Enumerable.Repeat(F((2 * a) + (3 * b) + 0.5), 1 + (i % 3))) + "]"),

                // Invalid: a row one feature short on /predict, or a NaN on /v2.
                _ => i % 8 == 3
                    ? (Predict, $$"""{"model":"reg","instances":[[{{F(a)}},{{F(b)}}],[{{F(a)}}]]}""", false, string.Empty)
                    : (Infer, Tensor("x", "[1,2]", "FP32", $"[\"NaN\",{i}]"), false, string.Empty),
            };

            var response = await _client.PostJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            if (!valid)
            {
                return (int)response.StatusCode == 400 ? null : $"request {i}: expected 400, got {(int)response.StatusCode}: {text}";
            }

            if ((int)response.StatusCode != 200)
            {
                return $"request {i}: expected 200, got {(int)response.StatusCode}: {text}";
            }

            var json = JsonNode.Parse(text)!;
            var actual = path == Predict
                ? new JsonArray([.. json["predictions"]!.AsArray().Select(p => p!["y"]!.DeepClone())]).ToJsonString()
                : json["outputs"]![0]!["data"]!.ToJsonString();
            return actual == expected ? null : $"request {i}: expected {expected}, got {actual}";
        }

        var tasks = Enumerable.Range(0, Count).Select(RunAsync).ToArray();
        gate.SetResult();
        var failures = (await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60))).Where(f => f is not null).ToArray();

        Assert.True(failures.Length == 0, string.Join(Environment.NewLine, failures));
        await AssertStillServingAsync();
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
