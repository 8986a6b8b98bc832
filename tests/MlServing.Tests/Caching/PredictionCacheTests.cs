using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Inference.Caching;
using MlServing.Tests.Infrastructure;
using StackExchange.Redis;

namespace MlServing.Tests.Caching;

/// <summary>The prediction cache through the real HTTP pipeline, in-process store and a real redis-server.</summary>
[Collection(ServerCollection.Name)]
public sealed class PredictionCacheTests
{
    private const string Fp64 = "fp64-regressor";

    private static string Rows(params (double A, double B)[] rows) =>
        $$"""{"model":"{{Fp64}}","instances":[{{string.Join(",", rows.Select(r => FormattableString.Invariant($"[{r.A},{r.B}]")))}}]}""";

    private static (double Hits, double Misses, double Errors, double RowsComputed) Counters(MlServingFactory factory, string model = Fp64, string? version = null)
    {
        var metrics = factory.Repository.Find(model, version).Version!.Metrics;
        return (metrics.CacheHits.Value, metrics.CacheMisses.Value, metrics.CacheErrors.Value, metrics.BatchSize.Sum);
    }

    /// <summary>The store under test: the in-process default, or a real redis-server started for the test.</summary>
    private static async Task<(RedisServer? Redis, Dictionary<string, string?> Settings)> StoreAsync(string provider, params (string Key, string Value)[] extra)
    {
        var settings = extra.ToDictionary(e => e.Key, e => (string?)e.Value);
        if (provider != "redis")
        {
            return (null, settings);
        }

        var redis = await RedisServer.StartAsync();
        settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        settings["MlServing:Cache:TimeoutMilliseconds"] = "1000";
        return (redis, settings);
    }

    private static async Task<HttpClient> StartAsync(MlServingFactory factory)
    {
        var client = await factory.StartAsync();
        await Eventually.TrueAsync(() => factory.Services.GetRequiredService<PredictionCache>().Health.Status == "ok", "the cache store to be ready");
        return client;
    }

    /// <summary>Redis SETs are not awaited: wait until a computed entry is readable before expecting a hit.</summary>
    private static Task StoredAsync(MlServingFactory factory, string model, int expectedHits, Func<Task> send, string? version = null) =>
        Eventually.TrueAsync(
            () =>
            {
                var before = Counters(factory, model, version).Hits;
                send().GetAwaiter().GetResult();
                return Counters(factory, model, version).Hits - before >= expectedHits;
            },
            "entries to be readable");

    private static async Task<string> PredictAsync(HttpClient client, string body) =>
        (await (await client.PostJsonAsync("/predict", body)).ExpectAsync(200))["predictions"]!.ToJsonString();

    [Theory]
    [InlineData("memory")]
    [InlineData("redis")]
    public async Task Rows_AreCachedOneByOne_APartlyCachedRequestComputesOnlyTheMissingRows_WithIdenticalNumbers(string provider)
    {
        var (redis, settings) = await StoreAsync(provider);
        await using var _ = redis;
        using var repo = new TestRepository().AddFixture(Fp64);
        await using var factory = new MlServingFactory(repo.Path, settings);
        var client = await StartAsync(factory);
        var start = Counters(factory);

        var first = await PredictAsync(client, Rows((1.5, 2.25), (3, 4)));
        var afterFirst = Counters(factory);
        if (redis is not null)
        {
            await StoredAsync(factory, Fp64, 2, () => PredictAsync(client, Rows((1.5, 2.25), (3, 4))));
            afterFirst = Counters(factory);
        }
        var mixed = await PredictAsync(client, Rows((0.1, 0.2), (1.5, 2.25), (7, 8), (3, 4)));
        var afterMixed = Counters(factory);
        using var uncached = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new StringContent(Rows((0.1, 0.2), (1.5, 2.25), (7, 8), (3, 4)), System.Text.Encoding.UTF8, "application/json") };
        uncached.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        var fromModel = (await (await client.SendAsync(uncached)).ExpectAsync(200))["predictions"]!.ToJsonString();

        Assert.Equal((0, 2), (afterFirst.Errors - start.Errors, afterFirst.RowsComputed - start.RowsComputed));
        Assert.Equal((2, 2, 2), (afterMixed.Hits - afterFirst.Hits, afterMixed.Misses - afterFirst.Misses, afterMixed.RowsComputed - afterFirst.RowsComputed));
        Assert.Equal("[{\"y\":[10.25]},{\"y\":[18.5]}]", first);
        Assert.Equal(mixed, fromModel);
        Assert.EndsWith("{\"y\":[10.25]},{\"y\":[38.5]},{\"y\":[18.5]}]", mixed, StringComparison.Ordinal);

        // Bypass: the model runs again and the cache is not consulted.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new StringContent(Rows((1.5, 2.25)), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        var before = Counters(factory);
        await (await client.SendAsync(request)).ExpectAsync(200);
        var after = Counters(factory);
        Assert.Equal((0, 0, 1), (after.Hits - before.Hits, after.Misses - before.Misses, after.RowsComputed - before.RowsComputed));
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("redis")]
    public async Task FlatOrNested_PredictOrOip_PositionalOrNamed_HitTheSameEntry(string provider)
    {
        var (redis, settings) = await StoreAsync(provider);
        await using var _ = redis;
        using var repo = new TestRepository().AddModelFolder(TestRepository.SamplesPath, "wine-classifier");
        await using var factory = new MlServingFactory(repo.Path, settings);
        var client = await StartAsync(factory);
        double[] row = [13.32, 3.24, 2.38, 21.5, 92.0, 1.93, 0.76, 0.45, 1.25, 8.42, 0.55, 1.62, 650.0];
        var values = string.Join(",", row.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var names = factory.Repository.Find("wine-classifier", null).Version!.Features!.Names;
        var named = "{" + string.Join(",", names.Select((n, i) => $"\"{n}\":{row[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}").Reverse()) + "}";

        await (await client.PostJsonAsync("/v2/models/wine-classifier/infer", $$"""{"inputs":[{"name":"input","shape":[1,13],"datatype":"FP32","data":[{{values}}]}]}""")).ExpectAsync(200);
        await StoredAsync(factory, "wine-classifier", 1, async () => await (await client.PostJsonAsync("/v2/models/wine-classifier/infer", $$"""{"inputs":[{"name":"input","shape":[1,13],"datatype":"FP32","data":[{{values}}]}]}""")).ExpectAsync(200));
        var start = Counters(factory, "wine-classifier");
        await (await client.PostJsonAsync("/v2/models/wine-classifier/infer", $$"""{"inputs":[{"name":"input","shape":[1,13],"datatype":"FP32","data":[[{{values}}]]}]}""")).ExpectAsync(200);
        await (await client.PostJsonAsync("/predict", $$"""{"instances":[[{{values}}]]}""")).ExpectAsync(200);
        await (await client.PostJsonAsync("/predict", $$"""{"instances":[{{named}}]}""")).ExpectAsync(200);
        var end = Counters(factory, "wine-classifier");

        Assert.Equal(3, end.Hits - start.Hits);
        Assert.Equal(0, end.Misses - start.Misses);
        Assert.Equal(0, end.RowsComputed - start.RowsComputed);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("redis")]
    public async Task NewVersion_NeverSeesTheOldVersionsEntries_AndOptOutSkipsTheCache(string provider)
    {
        var (redis, settings) = await StoreAsync(provider);
        await using var _ = redis;
        using var repo = new TestRepository().AddFixture(Fp64, "m", 1, 2).WithConfig("m", """{ "versionPolicy": { "all": true } }""")
            .AddFixture(Fp64, "uncached").WithConfig("uncached", """{ "cache": { "enabled": false } }""");
        await using var factory = new MlServingFactory(repo.Path, settings);
        var client = await StartAsync(factory);

        await (await client.PostJsonAsync("/predict", """{"model":"m","version":"1","instances":[[1,2]]}""")).ExpectAsync(200);
        await StoredAsync(factory, "m", 1, async () => await (await client.PostJsonAsync("/predict", """{"model":"m","version":"1","instances":[[1,2]]}""")).ExpectAsync(200), version: "1");
        var v2Before = Counters(factory, "m", "2");
        await (await client.PostJsonAsync("/predict", """{"model":"m","version":"2","instances":[[1,2]]}""")).ExpectAsync(200);
        var v2After = Counters(factory, "m", "2");
        Assert.Equal((0, 1), (v2After.Hits - v2Before.Hits, v2After.Misses - v2Before.Misses));

        // Metrics are process-wide (prometheus-net's default registry): compare before and after.
        var uncachedBefore = Counters(factory, "uncached");
        for (var i = 0; i < 2; i++)
        {
            await (await client.PostJsonAsync("/predict", """{"model":"uncached","instances":[[1,2]]}""")).ExpectAsync(200);
        }

        var uncachedAfter = Counters(factory, "uncached");
        Assert.Equal((0, 0, 2), (uncachedAfter.Hits - uncachedBefore.Hits, uncachedAfter.Misses - uncachedBefore.Misses, uncachedAfter.RowsComputed - uncachedBefore.RowsComputed));
    }

    [Fact]
    public async Task NonBatchableModels_StringsAndMaps_AreCachedPerRequest_AndAnswerIdentically()
    {
        using var repo = new TestRepository().AddFixture("scalar-scale").AddFixture("string-labels").AddFixture("zipmap-classifier");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        (string Model, string Body)[] cases =
        [
            ("scalar-scale", """{"model":"scalar-scale","inputs":{"x":[[1,2,3]],"scale":2.5}}"""),
            ("string-labels", """{"model":"string-labels","instances":["dog","emu"]}"""),
            ("zipmap-classifier", """{"model":"zipmap-classifier","instances":[[1,2,3,4],[0,0,1,0]]}"""),
        ];

        foreach (var (model, body) in cases)
        {
            var computed = await PredictAsync(client, body);
            var before = Counters(factory, model);
            var cached = await PredictAsync(client, body);
            var after = Counters(factory, model);
            Assert.Equal(computed, cached);
            Assert.True(after.Hits > before.Hits, $"{model}: no hit");
            Assert.Equal(before.RowsComputed, after.RowsComputed);
        }
    }

    [Fact]
    public async Task MemoryStore_IsBoundedAndEvictsTheLeastRecentlyUsed()
    {
        using var repo = new TestRepository().AddFixture(Fp64);
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:Cache:MaxEntries"] = "3" });
        var client = await factory.StartAsync();
        var store = (MemoryPredictionStore)factory.Services.GetRequiredService<PredictionCache>().Store!;

        for (var i = 0; i < 10; i++)
        {
            await PredictAsync(client, Rows((i, i)));
        }

        Assert.Equal(3, store.Count);
        var before = Counters(factory);
        await PredictAsync(client, Rows((9, 9)));
        await PredictAsync(client, Rows((0, 0)));
        var after = Counters(factory);
        Assert.Equal((1, 1), (after.Hits - before.Hits, after.Misses - before.Misses));
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("redis")]
    public async Task Ttl_ExpiresEntries(string provider)
    {
        var (redis, settings) = await StoreAsync(provider);
        await using var _ = redis;
        using var repo = new TestRepository().AddFixture(Fp64).WithConfig(Fp64, """{ "cache": { "ttlSeconds": 1 } }""");
        await using var factory = new MlServingFactory(repo.Path, settings);
        var client = await StartAsync(factory);
        await PredictAsync(client, Rows((5, 5)));
        await StoredAsync(factory, Fp64, 1, () => PredictAsync(client, Rows((5, 5))));

        await Eventually.TrueAsync(
            () =>
            {
                var before = Counters(factory).Misses;
                PredictAsync(client, Rows((5, 5))).GetAwaiter().GetResult();
                return Counters(factory).Misses > before;
            },
            "the entry to expire",
            timeoutSeconds: 10);
    }

    [Fact]
    public async Task Redis_SharesEntriesAcrossInstances_SurvivesBeingKilled_AndHitsResumeAfterRestart()
    {
        await using var redis = await RedisServer.StartAsync();
        using var repo = new TestRepository().AddFixture(Fp64);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["MlServing:Cache:TimeoutMilliseconds"] = "200",
            ["MlServing:Cache:OpenSeconds"] = "1",
            ["MlServing:Cache:FailuresBeforeOpen"] = "2",
        };
        await using var first = new MlServingFactory(repo.Path, settings);
        await using var second = new MlServingFactory(repo.Path, settings);
        var client1 = await first.StartAsync();
        var client2 = await second.StartAsync();
        await Eventually.TrueAsync(() => first.Services.GetRequiredService<PredictionCache>().Health.Status == "ok", "Redis to connect");
        await Eventually.TrueAsync(() => second.Services.GetRequiredService<PredictionCache>().Health.Status == "ok", "Redis to connect");

        var computed = await PredictAsync(client1, Rows((2, 3), (4, 5)));
        await Eventually.TrueAsync(
            () =>
            {
                var before = Counters(second).Hits;
                Assert.Equal(computed, PredictAsync(client2, Rows((2, 3), (4, 5))).GetAwaiter().GetResult());
                return Counters(second).Hits >= before + 2;
            },
            "the second instance to hit the first one's entries");

        await redis.KillAsync();
        var errorsBefore = Counters(first).Errors;
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal("[{\"y\":[" + ((2.0 * i) + 3 + 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture) + "]}]", await PredictAsync(client1, Rows((i, 1))));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"a request took {watch.Elapsed} with Redis down");
        }

        Assert.True(Counters(first).Errors > errorsBefore);
        var ready = await (await client1.GetAsync("/health/ready")).ExpectAsync(200);
        Assert.Equal("degraded", ready["cache"]!["status"]!.GetValue<string>());

        await redis.RestartAsync();
        await PredictAsync(client1, Rows((6, 7)));
        await Eventually.TrueAsync(
            () =>
            {
                var before = Counters(first).Hits;
                PredictAsync(client1, Rows((6, 7))).GetAwaiter().GetResult();
                return Counters(first).Hits > before;
            },
            "hits to resume after Redis came back",
            timeoutSeconds: 30);
    }

    [Fact]
    public async Task Redis_CorruptedValue_IsIgnoredAndOverwritten_AndMaxmemoryEvictionCausesNoErrors()
    {
        await using var redis = await RedisServer.StartAsync("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru");
        using var repo = new TestRepository().AddFixture(Fp64);
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["MlServing:Cache:TimeoutMilliseconds"] = "500",
            ["MlServing:Cache:KeyPrefix"] = "test-prefix:",
        });
        var client = await factory.StartAsync();
        await Eventually.TrueAsync(() => factory.Services.GetRequiredService<PredictionCache>().Health.Status == "ok", "Redis to connect");
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var database = admin.GetDatabase();

        var expected = await PredictAsync(client, Rows((1, 1)));
        // (The prediction stored for feedback shares the prefix: test-prefix:feedback:….)
        await Eventually.TrueAsync(() => admin.GetServer(redis.ConnectionString).Keys(pattern: "test-prefix:fp64-regressor:*").Any(), "the entry to be stored");
        var key = admin.GetServer(redis.ConnectionString).Keys(pattern: "test-prefix:fp64-regressor:*").Single();
        Assert.StartsWith("test-prefix:fp64-regressor:1:", key.ToString(), StringComparison.Ordinal);
        var good = (byte[])(await database.StringGetAsync(key))!;
        var corrupted = (byte[])good.Clone();
        corrupted[^12] ^= 0x40;
        await database.StringSetAsync(key, corrupted);

        var before = Counters(factory);
        Assert.Equal(expected, await PredictAsync(client, Rows((1, 1))));
        var after = Counters(factory);
        Assert.Equal((0, 1, 1), (after.Hits - before.Hits, after.Misses - before.Misses, after.RowsComputed - before.RowsComputed));
        await Eventually.TrueAsync(() => ((byte[])database.StringGet(key)!).AsSpan().SequenceEqual(good), "the corrupted value to be overwritten");

        // Fill far past maxmemory: Redis evicts, the service never fails a request.
        var errorsBefore = Counters(factory).Errors;
        var body = Rows([.. Enumerable.Range(0, 1000).Select(i => ((double)i, 0.5))]);
        for (var i = 0; i < 40; i++)
        {
            await (await client.PostJsonAsync("/predict", body.Replace("0.5]", $"{i}.5]", StringComparison.Ordinal))).ExpectAsync(200);
        }

        var info = await admin.GetServer(redis.ConnectionString).InfoAsync("stats");
        var evicted = long.Parse(info.SelectMany(g => g).Single(p => p.Key == "evicted_keys").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(evicted > 0, "Redis evicted nothing; the test did not exceed maxmemory");
        Assert.Equal(errorsBefore, Counters(factory).Errors);
    }
}
