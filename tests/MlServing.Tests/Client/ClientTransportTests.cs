using System.Diagnostics;
using System.Globalization;
using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Client;
using MlServing.Client.OpenInference;
using MlServing.Tests.Infrastructure;
using MlServing.Tests.SharedModels;

namespace MlServing.Tests.Client;

/// <summary>
/// <see cref="MlServingClient"/> against the real server on loopback (Kestrel, h2c for gRPC) through each of its three
/// transports: the same answers, the same refusals, the same retries.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ClientTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static TheoryData<MlServingTransport> Transports => [MlServingTransport.Json, MlServingTransport.Binary, MlServingTransport.Grpc];

    private static ServiceProvider Client(KestrelServer server, MlServingTransport transport, Action<MlServingClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddMlServingClient(o =>
        {
            o.BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}");
            o.GrpcAddress = new Uri($"http://127.0.0.1:{server.GrpcPort}");
            o.Transport = transport;
            o.RetryDelay = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }

    private static InferTensor ToTensor(SharedRepositoryFastPathTests.Tensor t) => t.Datatype switch
    {
        "FP32" => InferTensor.Create(t.Name, t.Shape, t.Values.Select(v => (float)v).ToArray()),
        "FP64" => InferTensor.Create(t.Name, t.Shape, t.Values),
        "INT64" => InferTensor.Create(t.Name, t.Shape, t.Values.Select(v => (long)v).ToArray()),
        "INT32" => InferTensor.Create(t.Name, t.Shape, t.Values.Select(v => (int)v).ToArray()),
        var other => throw new NotSupportedException($"reference inputs of {other}"),
    };

    private static double[] Values(InferTensor tensor) =>
        [.. tensor.Data.Cast<object>().Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture))];

    private static InferRequest Identity(float value) =>
        new() { Inputs = [InferTensor.Create("x", [1, 2], new[] { value, value })] };

    [SharedModelsFact]
    public async Task EveryModel_ThroughEveryTransport_MatchesItsReference()
    {
        using var repo = SharedRepositoryOracleTests.AllVersionsCopy();
        await using var server = await KestrelServer.StartAsync(repo.Path);
        var checkedCases = 0;
        foreach (var transport in new[] { MlServingTransport.Json, MlServingTransport.Binary, MlServingTransport.Grpc })
        {
            await using var services = Client(server, transport);
            var client = services.GetRequiredService<MlServingClient>();
            foreach (var c in SharedRepositoryFastPathTests.Cases())
            {
                var request = new InferRequest { Id = c.Model, Inputs = [.. c.Inputs.Select(ToTensor)] };
                var response = await client.InferAsync(c.Model, request, c.Version).WaitAsync(Timeout);

                Assert.Equal(c.Version, response.ModelVersion);
                Assert.Equal(c.Model, response.Id);
                foreach (var output in response.Outputs)
                {
                    SharedRepositoryFastPathTests.Check(c, transport.ToString(), output.Name, SharedRepositoryFastPathTests.ShapeText(output.Shape), Values(output));
                }

                checkedCases++;
            }
        }

        Assert.True(checkedCases >= 3 * 8, $"only {checkedCases} model versions × transports were checked");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Fp16AndBytes_RoundTrip_MapKeysArrive(MlServingTransport transport)
    {
        using var repo = new TestRepository().AddFixture("identity-fp16").AddFixture("string-labels").AddFixture("zipmap-classifier");
        await using var server = await KestrelServer.StartAsync(repo.Path);
        await using var services = Client(server, transport);
        var client = services.GetRequiredService<MlServingClient>();

        Half[] halves = [(Half)1.5, (Half)(-0.25), Half.MaxValue, (Half)0.0009765625, Half.Epsilon, (Half)(-2)];
        var fp16 = await client.InferAsync("identity-fp16", new InferRequest { Inputs = [InferTensor.Create("x", [3, 2], halves)] }).WaitAsync(Timeout);
        Assert.Equal("FP16", fp16.Output("y").Datatype);
        Assert.Equal(halves, fp16.Output("y").Values<Half>());

        string[] texts = ["dog", "bird", "", "ünïcødé ✓"];
        var bytes = await client.InferAsync("string-labels", new InferRequest { Inputs = [InferTensor.Create("text", [4], texts)] }).WaitAsync(Timeout);
        Assert.Equal([1L, 2, -1, -1], bytes.Output("code").Values<long>());
        Assert.Equal(texts, bytes.Output("echo").Values<string>());

        var zipmap = await client.InferAsync("zipmap-classifier", new InferRequest { Inputs = [InferTensor.Create("input", [1, 4], new[] { 3f, 0f, 0f, 0f })] }).WaitAsync(Timeout);
        Assert.Equal(["a", "b", "c"], zipmap.Output("output_probability").Classes!);
        Assert.Equal([0L], zipmap.Output("output_label").Values<long>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ApiKey_IsSentOnEveryTransport_AndItsAbsenceIsRefused(MlServingTransport transport)
    {
        using var repo = new TestRepository().AddFixture("identity-fp32").AddFixture("identity-fp16");
        var settings = new Dictionary<string, string?>().WithKey(0, "fp32-only", ["predict"], models: ["identity-fp32"]);
        await using var server = await KestrelServer.StartAsync(repo.Path, settings);

        await using (var keyed = Client(server, transport, o => o.ApiKey = TestApiKeys.KeyOf("fp32-only")))
        {
            var client = keyed.GetRequiredService<MlServingClient>();
            var answer = await client.InferAsync("identity-fp32", Identity(7)).WaitAsync(Timeout);
            Assert.Equal([7f, 7f], answer.Output("y").Values<float>());

            var other = await Assert.ThrowsAsync<MlServingClientException>(() => client.InferAsync("identity-fp16", new InferRequest
            {
                Inputs = [InferTensor.Create("x", [1, 2], new[] { (Half)1, (Half)2 })],
            }).WaitAsync(Timeout));
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Equal(transport == MlServingTransport.Grpc ? StatusCode.PermissionDenied : null, other.GrpcStatus);
        }

        await using var anonymous = Client(server, transport);
        var refused = await Assert.ThrowsAsync<MlServingClientException>(() => anonymous.GetRequiredService<MlServingClient>().InferAsync("identity-fp32", Identity(1)).WaitAsync(Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(transport == MlServingTransport.Grpc ? StatusCode.Unauthenticated : null, refused.GrpcStatus);
        Assert.Contains("API key", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task OverTheRateLimit_TheClientWaitsAsTheServerSays_AndSucceeds(MlServingTransport transport)
    {
        using var repo = new TestRepository().AddFixture("identity-fp32");
        var settings = new Dictionary<string, string?>()
            .WithKey(0, "slow", ["predict"], requestsPerSecond: 1, burst: 1)
            .WithKey(1, "warm", ["predict"]);
        await using var server = await KestrelServer.StartAsync(repo.Path, settings);

        // The transport's first call compiles its path; made with another key, so that the slow key's two calls follow
        // each other closely, well inside the second its bucket takes to refill, even on a loaded machine.
        await using (var warm = Client(server, transport, o => o.ApiKey = TestApiKeys.KeyOf("warm")))
        {
            await warm.GetRequiredService<MlServingClient>().InferAsync("identity-fp32", Identity(1)).WaitAsync(Timeout);
        }

        await using var services = Client(server, transport, o =>
        {
            o.ApiKey = TestApiKeys.KeyOf("slow");
            o.MaxRetries = 3;

            // Far below the server's hint: a retry that comes a second later waited for the hint, not for this.
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
        });
        var client = services.GetRequiredService<MlServingClient>();

        await client.InferAsync("identity-fp32", Identity(1)).WaitAsync(Timeout);
        var started = Stopwatch.GetTimestamp();
        var second = await client.InferAsync("identity-fp32", Identity(2)).WaitAsync(Timeout);
        var waited = Stopwatch.GetElapsedTime(started);

        Assert.Equal([2f, 2f], second.Output("y").Values<float>());
        var protocol = transport == MlServingTransport.Grpc ? "grpc" : "v2";
        await Eventually.TrueAsync(
            () => PrometheusText.Sample(server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult(),
                "mlserving_inference_requests_total", ("protocol", protocol), ("outcome", "rate_limited")) >= 1,
            "the refused first attempt of the second request to be counted");
        Assert.True(waited >= TimeSpan.FromMilliseconds(500), $"retried after {waited.TotalMilliseconds:F0} ms, sooner than the server's hint of 1 s");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RateLimited_WithoutRetries_IsThrownAs429(MlServingTransport transport)
    {
        using var repo = new TestRepository().AddFixture("identity-fp32");
        var settings = new Dictionary<string, string?>().WithKey(0, "slow", ["predict"], requestsPerSecond: 0.01, burst: 1);
        await using var server = await KestrelServer.StartAsync(repo.Path, settings);
        await using var services = Client(server, transport, o =>
        {
            o.ApiKey = TestApiKeys.KeyOf("slow");
            o.MaxRetries = 0;
        });
        var client = services.GetRequiredService<MlServingClient>();

        await client.InferAsync("identity-fp32", Identity(1)).WaitAsync(Timeout);
        var error = await Assert.ThrowsAsync<MlServingClientException>(() => client.InferAsync("identity-fp32", Identity(2)).WaitAsync(Timeout));
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(transport == MlServingTransport.Grpc ? StatusCode.ResourceExhausted : null, error.GrpcStatus);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RequestTimeout_ReachesTheServer_AQueuedRequestPastItIsDropped(MlServingTransport transport)
    {
        using var repo = new TestRepository().AddFixture("identity-fp32");
        await using var server = await KestrelServer.StartAsync(repo.Path, new Dictionary<string, string?> { ["MlServing:Cache:Provider"] = "none" });
        var (entered, release) = BatchGate.FreezeFirstBatch(BatchGate.BatcherOf(server.Repository.Find("identity-fp32", null).Version!.Pipeline));
        await using var services = Client(server, transport, o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));
        var client = services.GetRequiredService<MlServingClient>();
        var first = client.InferAsync("identity-fp32", Identity(1));
        await entered.Task.WaitAsync(Timeout);

        var late = await Assert.ThrowsAsync<MlServingClientException>(() => client.InferAsync("identity-fp32", Identity(2)).WaitAsync(Timeout));
        release.SetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, late.StatusCode);
        Assert.Equal(transport == MlServingTransport.Grpc ? StatusCode.DeadlineExceeded : null, late.GrpcStatus);
        var answer = await first.WaitAsync(Timeout);
        Assert.Equal([1f, 1f], answer.Output("y").Values<float>());
    }

    [Fact]
    public async Task Grpc_Cancellation_IsAnOperationCanceledException()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32");
        await using var server = await KestrelServer.StartAsync(repo.Path, new Dictionary<string, string?> { ["MlServing:Cache:Provider"] = "none" });
        var (entered, release) = BatchGate.FreezeFirstBatch(BatchGate.BatcherOf(server.Repository.Find("identity-fp32", null).Version!.Pipeline));
        await using var services = Client(server, MlServingTransport.Grpc);
        var client = services.GetRequiredService<MlServingClient>();
        using var cancel = new CancellationTokenSource();
        var call = client.InferAsync("identity-fp32", Identity(1), cancellationToken: cancel.Token);
        await entered.Task.WaitAsync(Timeout);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Timeout));
        release.SetResult();
    }
}
