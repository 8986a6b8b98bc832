using System.Net;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using MlServing.Grpc.Inference;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Grpc;

/// <summary>One real server (Kestrel, h2c) over the fixture models for the gRPC tests that only read it.</summary>
public sealed class GrpcFixtureServer : IAsyncLifetime
{
    private readonly TestRepository _repository = new TestRepository()
        .AddFixture("identity-fp32").AddFixture("identity-fp16").AddFixture("identity-int8").AddFixture("identity-uint16")
        .AddFixture("identity-bool").AddFixture("string-labels").AddFixture("int64-math").AddFixture("zipmap-classifier");

    public KestrelServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await KestrelServer.StartAsync(_repository.Path);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _repository.Dispose();
    }
}

/// <summary>The Open Inference Protocol over gRPC: every RPC, typed and raw contents, and every way a request can be wrong.</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcInferenceServiceTests : IClassFixture<GrpcFixtureServer>
{
    private readonly KestrelServer _server;

    public GrpcInferenceServiceTests(GrpcFixtureServer fixture) => _server = fixture.Server;

    private OipGrpcClient Client => _server.Grpc;

    internal static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype, params long[] shape)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        input.Shape.AddRange(shape);
        return input;
    }

    private static ModelInferRequest Raw(string model, string name, string datatype, long[] shape, byte[] data)
    {
        var request = new ModelInferRequest { ModelName = model, Id = "r1" };
        request.Inputs.Add(Input(name, datatype, shape));
        request.RawInputContents.Add(ByteString.CopyFrom(data));
        return request;
    }

    private static byte[] Strings(params string[] values) => BinaryTensorBody.Strings(values);

    private static string[] ReadStrings(ByteString raw) => BinaryTensorBody.ReadStrings(raw.Span);

    [Fact]
    public async Task HealthAndMetadataRpcs_DescribeTheServerAndItsModels()
    {
        Assert.True((await Client.ServerLiveAsync()).Live);
        Assert.True((await Client.ServerReadyAsync()).Ready);
        Assert.True((await Client.ModelReadyAsync("identity-fp32")).Ready);
        Assert.True((await Client.ModelReadyAsync("identity-fp32", "1")).Ready);

        var server = await Client.ServerMetadataAsync();
        Assert.Equal("mlserving", server.Name);
        Assert.Contains("binary_tensor_data", server.Extensions);
        Assert.Contains("model_repository", server.Extensions);

        var model = await Client.ModelMetadataAsync("string-labels");
        Assert.Equal(["1"], model.Versions);
        Assert.Equal("onnxruntime_onnx", model.Platform);
        Assert.Equal("BYTES", model.Inputs.Single().Datatype);
        Assert.Equal([-1L], model.Inputs.Single().Shape);
        Assert.Equal(["code", "echo"], model.Outputs.Select(o => o.Name));

        Assert.Equal(StatusCode.NotFound, (await OipGrpcClient.FailureAsync(Client.ModelReadyAsync("nope"))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await OipGrpcClient.FailureAsync(Client.ModelMetadataAsync("identity-fp32", "7"))).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await OipGrpcClient.FailureAsync(Client.ModelMetadataAsync(""))).StatusCode);
    }

    [Fact]
    public async Task HealthService_AnswersForTheServerAndEachModel()
    {
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await Client.HealthCheckAsync(string.Empty)).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await Client.HealthCheckAsync("inference.GRPCInferenceService")).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await Client.HealthCheckAsync("identity-fp16")).Status);
        Assert.Equal(StatusCode.NotFound, (await OipGrpcClient.FailureAsync(Client.HealthCheckAsync("nope"))).StatusCode);
    }

    [Fact]
    public async Task TypedRequest_IsAnsweredTyped_WithTheVersionInTheResponseAndItsMetadata()
    {
        var request = new ModelInferRequest { ModelName = "int64-math", Id = "typed" };
        var input = Input("x", "INT64", 2, 3);
        input.Contents = new InferTensorContents();
        input.Contents.Int64Contents.AddRange([1, 2, 3, 4, 5, 1L << 40]);
        request.Inputs.Add(input);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "total" });

        using var call = Client.ModelInferAsync(request);
        var response = await call.ResponseAsync;
        Assert.Equal("1", (await call.ResponseHeadersAsync).GetValue("x-model-version"));
        Assert.Equal("int64-math", response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("typed", response.Id);
        Assert.Empty(response.RawOutputContents);
        var total = Assert.Single(response.Outputs);
        Assert.Equal("total", total.Name);
        Assert.Equal("INT64", total.Datatype);
        Assert.Equal([2L], total.Shape);
        Assert.Equal([6L, 9 + (1L << 40)], total.Contents.Int64Contents);
    }

    [Fact]
    public async Task TypedNarrowIntegersAndBools_RoundTrip()
    {
        var int8 = new ModelInferRequest { ModelName = "identity-int8" };
        var x = Input("x", "INT8", 2, 2);
        x.Contents = new InferTensorContents();
        x.Contents.IntContents.AddRange([-128, 127, 0, -1]);
        int8.Inputs.Add(x);
        Assert.Equal([-128, 127, 0, -1], (await Client.ModelInferAsync(int8).ResponseAsync).Outputs[0].Contents.IntContents);

        var flags = new ModelInferRequest { ModelName = "identity-bool" };
        var b = Input("x", "BOOL", 1, 2);
        b.Contents = new InferTensorContents();
        b.Contents.BoolContents.AddRange([true, false]);
        flags.Inputs.Add(b);
        Assert.Equal([true, false], (await Client.ModelInferAsync(flags).ResponseAsync).Outputs[0].Contents.BoolContents);

        var outOfRange = new ModelInferRequest { ModelName = "identity-uint16" };
        var u = Input("x", "UINT16", 1, 2);
        u.Contents = new InferTensorContents();
        u.Contents.UintContents.AddRange([1, 70000]);
        outOfRange.Inputs.Add(u);
        var error = await OipGrpcClient.FailureAsync(Client.ModelInferAsync(outOfRange).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("inputs[0].contents", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("element 1: 70000 is not a valid UINT16 value", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawFp16_RoundTripsBitForBit_AndIsAnsweredRaw()
    {
        Half[] values = [(Half)1.5, (Half)(-0.25), Half.MaxValue, (Half)65504, (Half)0.0009765625, (Half)(-2)];
        var data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var response = await Client.ModelInferAsync(Raw("identity-fp16", "x", "FP16", [3, 2], data)).ResponseAsync;
        Assert.Equal("FP16", response.Outputs[0].Datatype);
        Assert.Null(response.Outputs[0].Contents);
        Assert.Equal(data, response.RawOutputContents[0].ToByteArray());
    }

    [Fact]
    public async Task RawBytes_RoundTrip_WithLengthPrefixes()
    {
        var response = await Client.ModelInferAsync(Raw("string-labels", "text", "BYTES", [4], Strings("dog", "bird", "", "ünïcødé ✓"))).ResponseAsync;
        Assert.Equal(["code", "echo"], response.Outputs.Select(o => o.Name));
        Assert.Equal([1L, 2, -1, -1], MemoryMarshal.Cast<byte, long>(response.RawOutputContents[0].Span).ToArray());
        Assert.Equal(["dog", "bird", "", "ünïcødé ✓"], ReadStrings(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task TypedBytes_AreAnsweredTyped()
    {
        var request = new ModelInferRequest { ModelName = "string-labels" };
        var text = Input("text", "BYTES", 2);
        text.Contents = new InferTensorContents();
        text.Contents.BytesContents.Add(ByteString.CopyFromUtf8("cat"));
        text.Contents.BytesContents.Add(ByteString.CopyFromUtf8("emu"));
        request.Inputs.Add(text);
        var response = await Client.ModelInferAsync(request).ResponseAsync;
        Assert.Equal([0L, -1], response.Outputs[0].Contents.Int64Contents);
        Assert.Equal(["cat", "emu"], response.Outputs[1].Contents.BytesContents.Select(b => b.ToStringUtf8()));
    }

    [Fact]
    public async Task MapOutput_CarriesItsKeysInParameters()
    {
        var request = new ModelInferRequest { ModelName = "zipmap-classifier" };
        var input = Input("input", "FP32", 1, 4);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange([1, 0, 0, 0]);
        request.Inputs.Add(input);
        var response = await Client.ModelInferAsync(request).ResponseAsync;
        var map = response.Outputs.Single(o => o.Name == "output_probability");
        Assert.Equal([1L, 3], map.Shape);
        Assert.Equal("""["a","b","c"]""", map.Parameters["classes"].StringParam);
    }

    public static TheoryData<string, string, string> MalformedRawRequests => new()
    {
        { "wrong byte count", "FP32", "raw_input_contents[0]" },
        { "length prefix past the end", "BYTES", "raw_input_contents[0]" },
        { "length prefix cut short", "BYTES", "raw_input_contents[0]" },
        { "contents and raw", "FP32", "inputs[0].contents" },
        { "more raw entries than inputs", "FP32", "raw_input_contents" },
        { "FP16 typed", "FP16", "inputs[0].contents" },
        { "unknown datatype", "BF16", "inputs[0].datatype" },
        { "datatype not the model's", "FP64", "inputs[0].datatype" },
        { "wrong field for the datatype", "FP32", "inputs[0].contents" },
        { "too few typed elements", "FP32", "inputs[0].contents" },
        { "no inputs", "FP32", "inputs" },
        { "unknown output", "FP32", "outputs[0].name" },
        { "negative timeout", "FP32", "parameters.timeout" },
        { "invalid UTF-8", "BYTES", "raw_input_contents[0]" },
    };

    [Theory]
    [MemberData(nameof(MalformedRawRequests))]
    public async Task MalformedRequest_IsInvalidArgument_NamingTheField(string what, string datatype, string field)
    {
        var model = datatype switch { "BYTES" => "string-labels", "FP16" => "identity-fp16", _ => "identity-fp32" };
        var name = datatype == "BYTES" ? "text" : "x";
        ModelInferRequest request;
        switch (what)
        {
            case "wrong byte count":
                request = Raw(model, name, datatype, [2, 2], new byte[15]);
                break;
            case "length prefix past the end":
                request = Raw(model, name, datatype, [2], [.. Strings("dog"), 200, 0, 0, 0, (byte)'x']);
                break;
            case "length prefix cut short":
                request = Raw(model, name, datatype, [2], [.. Strings("dog"), 1, 0]);
                break;
            case "invalid UTF-8":
                request = Raw(model, name, datatype, [1], [2, 0, 0, 0, 0xC3, 0x28]);
                break;
            case "contents and raw":
                request = Raw(model, name, datatype, [1, 2], new byte[8]);
                request.Inputs[0].Contents = new InferTensorContents();
                request.Inputs[0].Contents.Fp32Contents.AddRange([1, 2]);
                break;
            case "more raw entries than inputs":
                request = Raw(model, name, datatype, [1, 2], new byte[8]);
                request.RawInputContents.Add(ByteString.CopyFrom(new byte[8]));
                break;
            case "no inputs":
                request = new ModelInferRequest { ModelName = model };
                break;
            default:
                request = new ModelInferRequest { ModelName = model };
                var input = Input(name, datatype, 1, 2);
                input.Contents = new InferTensorContents();
                if (what == "wrong field for the datatype")
                {
                    input.Contents.IntContents.AddRange([1, 2]);
                }
                else if (what == "FP16 typed")
                {
                    input.Contents.Fp32Contents.AddRange([1, 2]);
                }
                else if (datatype == "FP64")
                {
                    input.Contents.Fp64Contents.AddRange([1, 2]);
                }
                else
                {
                    input.Contents.Fp32Contents.AddRange(what == "too few typed elements" ? [1] : [1, 2]);
                }

                request.Inputs.Add(input);
                if (what == "unknown output")
                {
                    request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "nope" });
                }

                if (what == "negative timeout")
                {
                    request.Parameters.Add("timeout", new InferParameter { Int64Param = -5 });
                }

                break;
        }

        var error = await OipGrpcClient.FailureAsync(Client.ModelInferAsync(request).ResponseAsync);
        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{what}: {error.Status}");
        Assert.Contains(field + ":", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BytesThatAreNoMessage_AreInvalidArgument_NotUnknown()
    {
        var error = await OipGrpcClient.FailureAsync(Client.ModelInferBytesAsync([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("ModelInferRequest", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownModelOrVersion_IsNotFound()
    {
        var request = Raw("nope", "x", "FP32", [1, 2], new byte[8]);
        Assert.Equal(StatusCode.NotFound, (await OipGrpcClient.FailureAsync(Client.ModelInferAsync(request).ResponseAsync)).StatusCode);
        request = Raw("identity-fp32", "x", "FP32", [1, 2], new byte[8]);
        request.ModelVersion = "9";
        Assert.Equal(StatusCode.NotFound, (await OipGrpcClient.FailureAsync(Client.ModelInferAsync(request).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Ports_AreKeptApart_RestOnHttpAndGrpcOnItsOwnPort()
    {
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var onGrpcPort = await h2c.GetAsync(new Uri($"http://127.0.0.1:{_server.GrpcPort}/v2"));
        Assert.Equal(HttpStatusCode.NotFound, onGrpcPort.StatusCode);

        using var rest = await _server.Http.GetAsync(new Uri("/v2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(HttpVersion.Version11, rest.Version);
        using var grpcOnHttp = new HttpRequestMessage(HttpMethod.Post, "/inference.GRPCInferenceService/ServerLive") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        grpcOnHttp.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var answer = await _server.Http.SendAsync(grpcOnHttp);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_IsCountedWithProtocolGrpc()
    {
        string Scrape() => _server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();
        double Count(string text, string outcome) => PrometheusText.Sample(text, "mlserving_inference_requests_total", ("model", "identity-fp32"), ("protocol", "grpc"), ("outcome", outcome));
        var before = await _server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        await Client.ModelInferAsync(Raw("identity-fp32", "x", "FP32", [1, 2], new byte[8])).ResponseAsync;
        await OipGrpcClient.FailureAsync(Client.ModelInferAsync(Raw("identity-fp32", "x", "FP32", [1, 2], new byte[7])).ResponseAsync);

        // The count is recorded when the response has completed, just after the client has it.
        await Eventually.TrueAsync(() => Count(Scrape(), "success") == Count(before, "success") + 1 && Count(Scrape(), "invalid") == Count(before, "invalid") + 1, "the gRPC request counts");
        Assert.True(PrometheusText.Sample(Scrape(), "mlserving_request_duration_seconds_count", ("model", "identity-fp32"), ("protocol", "grpc")) >= 2);
    }
}
