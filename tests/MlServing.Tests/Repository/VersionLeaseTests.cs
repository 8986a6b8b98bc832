using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Repository;

/// <summary>
/// Version leases: a request that resolved a version finishes on it, whatever reloads and new versions happen
/// meanwhile, and a retired version is released only after its last request.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class VersionLeaseTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ReloadsAndNewVersions_InALoop_UnderConcurrentLoadWithLargeBodies_LoseNoRequest()
    {
        using var repo = new TestRepository().AddFixture("dynamic-hw", "m", 1).WithConfig("m", """{"versionPolicy":{"latest":2}}""");
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:Cache:Provider"] = "none" });
        var client = await factory.StartAsync();
        var first = factory.Repository.Find("m", null).Version!;

        using var stop = new CancellationTokenSource();
        var answered = new StrongBox<int>();
        var clients = Enumerable.Range(0, 6).Select(c => LoadAsync(client, c, answered, stop.Token)).ToArray();
        var published = 1;
        for (var round = 0; round < 24; round++)
        {
            // Every reload overlaps requests in flight: wait for a few answers between two reloads.
            var before = Volatile.Read(ref answered.Value);
            await Eventually.TrueAsync(() => Volatile.Read(ref answered.Value) >= before + 3, "requests between reloads");
            if (round % 2 == 0)
            {
                repo.AddFixture("dynamic-hw", "m", ++published);
            }

            (await client.PostAsync("/v2/repository/models/m/load", null).WaitAsync(Timeout)).EnsureSuccessStatusCode();
        }

        await stop.CancelAsync();
        var results = await Task.WhenAll(clients).WaitAsync(Timeout);

        var failures = results.SelectMany(r => r.Failures).ToArray();
        Assert.True(failures.Length == 0, $"{failures.Length} of {results.Sum(r => r.Sent)} requests failed, e.g. {string.Join(" | ", failures.Take(3))}");
        Assert.True(results.Sum(r => r.Sent) >= 60, $"only {results.Sum(r => r.Sent)} requests ran during the reloads");
        Assert.True(results.SelectMany(r => r.Versions).Distinct().Count() > 1, "requests saw only one version: the reloads did not overlap the load");

        // The first version was retired long ago; with its last request done, its session is released.
        Assert.False(first.IsServing);
        await first.Disposed.WaitAsync(Timeout);
        Assert.Equal(published, factory.Repository.Find("m", null).Version!.Version);
    }

    [Fact]
    public async Task ARetiredVersion_IsReleasedOnlyAfterItsLastLease()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1);
        await using var factory = new MlServingFactory(repo.Path);
        await factory.StartAsync();
        var service = factory.Services.GetRequiredService<MlServing.Inference.Serving.InferenceService>();
        var (lease, error) = service.Resolve("m", null);
        Assert.Null(error);
        var leased = lease!.Model;

        var unload = factory.Repository.UnloadModelAsync("m", CancellationToken.None);

        // Unloaded at once for new requests, but the leased version is kept for the request that holds it.
        await Eventually.TrueAsync(() => !factory.Repository.TryGetEntry("m", out _), "the unload to be published");
        Assert.False(leased.IsServing);
        Assert.False(leased.TryAcquire());
        Assert.False(leased.Disposed.IsCompleted);
        Assert.False(unload.IsCompleted);

        lease.Dispose();
        await unload.WaitAsync(Timeout);
        Assert.True(leased.Disposed.IsCompleted);
    }

    private static async Task<LoadResult> LoadAsync(HttpClient client, int seed, StrongBox<int> answered, CancellationToken stop)
    {
        var result = new LoadResult();
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            // A 96x96 image (about 60 KB of JSON) whose mean the answer must equal.
            var pixels = new float[96 * 96];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = random.Next(0, 1000) / 8f;
            }

            var body = new StringBuilder("""{"inputs":[{"name":"image","shape":[1,1,96,96],"datatype":"FP32","data":[""");
            body.AppendJoin(',', pixels.Select(p => p.ToString("R", CultureInfo.InvariantCulture)));
            body.Append("]}]}");
            result.Sent++;
            var response = await client.PostJsonAsync("/v2/models/m/infer", body.ToString()).WaitAsync(Timeout, CancellationToken.None);
            var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            if ((int)response.StatusCode != 200)
            {
                result.Failures.Add($"{(int)response.StatusCode}: {text}");
                continue;
            }

            var json = System.Text.Json.Nodes.JsonNode.Parse(text)!;
            var mean = json["outputs"]![0]!["data"]![0]!.GetValue<double>();
            var expected = pixels.Select(p => (double)p).Average();
            if (Math.Abs(mean - expected) > 1e-3 * Math.Max(1, Math.Abs(expected)))
            {
                result.Failures.Add($"mean {mean}, expected {expected}");
            }

            result.Versions.Add(json["model_version"]!.GetValue<string>());
            Interlocked.Increment(ref answered.Value);
        }

        return result;
    }

    private sealed class LoadResult
    {
        public int Sent { get; set; }

        public List<string> Failures { get; } = [];

        public HashSet<string> Versions { get; } = [];
    }
}
