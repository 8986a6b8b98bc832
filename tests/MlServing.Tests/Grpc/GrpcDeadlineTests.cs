using Google.Protobuf;
using Grpc.Core;
using MlServing.Grpc.Inference;
using MlServing.Inference.Batching;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Grpc;

/// <summary>Deadlines and cancellation of gRPC calls that wait in a frozen batcher's queue.</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcDeadlineTests
{
    private static readonly Dictionary<string, string?> NoCache = new() { ["MlServing:Cache:Provider"] = "none" };

    private static BatchingPipeline Pipeline(KestrelServer server, string model) =>
        BatchGate.BatcherOf(server.Repository.Find(model, null).Version!.Pipeline);

    private static ModelInferRequest Request(float value)
    {
        var request = new ModelInferRequest { ModelName = "identity-fp32" };
        request.Inputs.Add(GrpcInferenceServiceTests.Input("x", "FP32", 1, 2));
        request.RawInputContents.Add(ByteString.CopyFrom([.. BitConverter.GetBytes(value), .. BitConverter.GetBytes(value)]));
        return request;
    }

    private static double Outcome(KestrelServer server, string outcome) =>
        PrometheusText.Sample(server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult(),
            "mlserving_inference_requests_total", ("model", "identity-fp32"), ("protocol", "grpc"), ("outcome", outcome));

    /// <summary>A first call held in a frozen batch, so that the next one waits in the queue.</summary>
    private static async Task<(BatchingPipeline Pipeline, TaskCompletionSource Release, Task<ModelInferResponse> First)> FreezeAsync(KestrelServer server)
    {
        var pipeline = Pipeline(server, "identity-fp32");
        var (entered, release) = BatchGate.FreezeFirstBatch(pipeline);
        var first = server.Grpc.ModelInferAsync(Request(1)).ResponseAsync;
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (pipeline, release, first);
    }

    [Fact]
    public async Task ClientDeadline_WhileQueued_IsDeadlineExceeded_AndTheRequestNeverRuns()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32");
        await using var server = await KestrelServer.StartAsync(repo.Path, NoCache);
        var (pipeline, release, first) = await FreezeAsync(server);

        // Queued behind the frozen batch; its deadline passes while it waits.
        var late = server.Grpc.ModelInferAsync(Request(2), new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(300))).ResponseAsync;
        Assert.Equal(StatusCode.DeadlineExceeded, (await OipGrpcClient.FailureAsync(late)).StatusCode);
        await Eventually.TrueAsync(() => Outcome(server, "timeout") == 1, "the server to record the deadline");

        release.SetResult();
        var answer = await first.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(BitConverter.GetBytes(1f), answer.RawOutputContents[0].Span[..4].ToArray());

        // The expired request left the queue without running: the next request is answered on its own.
        var next = await server.Grpc.ModelInferAsync(Request(3)).ResponseAsync;
        Assert.Equal(BitConverter.GetBytes(3f), next.RawOutputContents[0].Span[..4].ToArray());
        Assert.Equal(0, pipeline.QueuedRows);
    }

    [Fact]
    public async Task CancelledCall_WhileQueued_LeavesTheQueue()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32");
        await using var server = await KestrelServer.StartAsync(repo.Path, NoCache);
        var (pipeline, release, first) = await FreezeAsync(server);

        using var cancel = new CancellationTokenSource();
        var call = server.Grpc.ModelInferAsync(Request(2), new CallOptions(cancellationToken: cancel.Token)).ResponseAsync;
        await Eventually.TrueAsync(() => pipeline.QueuedRows == 1, "the second call to be queued");
        await cancel.CancelAsync();
        Assert.Equal(StatusCode.Cancelled, (await OipGrpcClient.FailureAsync(call)).StatusCode);
        await Eventually.TrueAsync(() => Outcome(server, "rejected") == 1, "the server to record the cancelled call");

        release.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => pipeline.QueuedRows == 0, "the queue to drain");
    }
}
