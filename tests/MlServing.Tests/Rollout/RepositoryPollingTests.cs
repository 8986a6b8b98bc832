using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MlServing.Inference.Repository;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Rollout;

/// <summary>
/// Repository polling on a fake clock: every scan is one step of the test. New, changed and removed versions and models
/// are applied without an API call, each only once its files have been stable for a whole interval.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RepositoryPollingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<(MlServingFactory Factory, HttpClient Client, Func<Task> Poll)> StartAsync(TestRepository repo)
    {
        var time = new FakeTimeProvider();
        var factory = new MlServingFactory(
            repo.Path,
            new Dictionary<string, string?> { ["MlServing:ModelRepository:PollSeconds"] = "5" },
            services => services.AddSingleton<TimeProvider>(time));
        var client = await factory.StartAsync();
        var poller = factory.Services.GetRequiredService<RepositoryPoller>();
        await poller.Started.WaitAsync(Timeout);
        return (factory, client, async () =>
        {
            var next = poller.NextPoll;
            time.Advance(TimeSpan.FromSeconds(5));
            await next.WaitAsync(Timeout);
        }
        );
    }

    private static async Task<int> StatusAsync(HttpClient client, string path) =>
        (int)(await client.PostJsonAsync(path, """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[3,4]}]}""").WaitAsync(Timeout)).StatusCode;

    [Fact]
    public async Task NewChangedAndRemovedVersionsAndModels_AreApplied_OnlyOnceStableForAnInterval()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1);
        var (factory, client, poll) = await StartAsync(repo);
        await using var _ = factory;

        repo.AddFixture("identity-fp32", "m", 2).WithConfig("m", """{"versionPolicy":{"all":true}}""");
        await poll();
        Assert.Equal(404, await StatusAsync(client, "/v2/models/m/versions/2/infer"));
        await poll();
        Assert.Equal(200, await StatusAsync(client, "/v2/models/m/versions/2/infer"));
        Assert.Equal(200, await StatusAsync(client, "/v2/models/m/versions/1/infer"));

        Directory.Delete(Path.Combine(repo.Path, "m", "1"), recursive: true);
        await poll();
        await poll();
        Assert.Equal(404, await StatusAsync(client, "/v2/models/m/versions/1/infer"));
        Assert.Equal(200, await StatusAsync(client, "/v2/models/m/infer"));

        repo.AddFixture("identity-fp32", "n", 1);
        await poll();
        Assert.Equal(404, await StatusAsync(client, "/v2/models/n/infer"));
        await poll();
        Assert.Equal(200, await StatusAsync(client, "/v2/models/n/infer"));

        Directory.Delete(Path.Combine(repo.Path, "n"), recursive: true);
        await poll();
        Assert.Equal(404, await StatusAsync(client, "/v2/models/n/infer"));
        Assert.Equal(200, await StatusAsync(client, "/v2/models/m/infer"));
    }

    [Fact]
    public async Task AModelCopiedInSlowly_InChunksAcrossPollIntervals_IsNeverLoadedHalfWritten()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1).WithConfig("m", """{"versionPolicy":{"all":true}}""");
        var (factory, client, poll) = await StartAsync(repo);
        await using var _ = factory;
        var model = File.ReadAllBytes(repo.ModelFile("m", 1));
        var target = Path.Combine(repo.Path, "m", "2", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        const int Chunks = 4;
        for (var chunk = 0; chunk < Chunks; chunk++)
        {
            await using (var stream = new FileStream(target, FileMode.Append))
            {
                var size = model.Length / Chunks;
                stream.Write(model, chunk * size, chunk == Chunks - 1 ? model.Length - (chunk * size) : size);
            }

            await poll();
            Assert.Equal(404, await StatusAsync(client, "/v2/models/m/versions/2/infer"));
        }

        await poll();
        Assert.Equal(200, await StatusAsync(client, "/v2/models/m/versions/2/infer"));
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(Timeout);
        Assert.Equal(0, PrometheusText.Sample(metrics, "mlserving_model_load_failures_total", ("model", "m")));
        var index = await (await client.PostAsync("/v2/repository/index", null).WaitAsync(Timeout)).ExpectAsync(200);
        Assert.All(index.AsArray(), row => Assert.Equal("READY", row!["state"]!.GetValue<string>()));
    }
}
