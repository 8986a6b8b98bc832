using Google.Protobuf;
using Grpc.Core;
using MlServing.Grpc.Inference;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Grpc;

/// <summary>API keys over gRPC: the <c>authorization</c> metadata entry, refusals as gRPC status codes, counted with protocol="grpc".</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcApiKeyTests
{
    private static ModelInferRequest Request(string model)
    {
        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 1, 2 } });
        request.RawInputContents.Add(ByteString.CopyFrom(BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray()));
        return request;
    }

    private static CallOptions Key(string name) => new(new Metadata { { "authorization", "Bearer " + TestApiKeys.KeyOf(name) } });

    [Fact]
    public async Task Keys_OverGrpc_AreCheckedLikeRest_AndRefusalsAreGrpcStatuses_CountedAsGrpc()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m").AddFixture("identity-fp32", "other");
        var settings = new Dictionary<string, string?>()
            .WithKey(0, "client", ["predict"], models: ["m"])
            .WithKey(1, "ops", ["admin"])
            .WithKey(2, "slow", ["predict"], requestsPerSecond: 0.001, burst: 1);
        await using var server = await KestrelServer.StartAsync(repo.Path, settings);

        var answer = await server.Grpc.ModelInferAsync(Request("m"), Key("client"));
        Assert.Equal("m", answer.ModelName);
        Assert.Single(answer.RawOutputContents);

        Assert.Equal(StatusCode.Unauthenticated, (await OipGrpcClient.FailureAsync(server.Grpc.ModelInferAsync(Request("m")).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await OipGrpcClient.FailureAsync(server.Grpc.ModelInferAsync(Request("m"), Key("nobody")).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await OipGrpcClient.FailureAsync(server.Grpc.ModelInferAsync(Request("m"), Key("ops")).ResponseAsync)).StatusCode);
        var otherModel = await OipGrpcClient.FailureAsync(server.Grpc.ModelInferAsync(Request("other"), Key("client")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, otherModel.StatusCode);
        Assert.Contains("'other'", otherModel.Status.Detail);

        await server.Grpc.ModelInferAsync(Request("m"), Key("slow"));
        var limited = await OipGrpcClient.FailureAsync(server.Grpc.ModelInferAsync(Request("m"), Key("slow")).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);

        // Probes stay open; health needs no key.
        Assert.True((await server.Grpc.ServerLiveAsync()).Live);

        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Equal(2, PrometheusText.Sample(metrics, "mlserving_inference_requests_total", ("protocol", "grpc"), ("outcome", "unauthorized")));
        Assert.Equal(2, PrometheusText.Sample(metrics, "mlserving_inference_requests_total", ("protocol", "grpc"), ("outcome", "forbidden")));
        Assert.Equal(1, PrometheusText.Sample(metrics, "mlserving_inference_requests_total", ("protocol", "grpc"), ("outcome", "rate_limited")));
        Assert.Equal(2, PrometheusText.Sample(metrics, "mlserving_inference_requests_total", ("protocol", "grpc"), ("outcome", "success")));
    }
}
