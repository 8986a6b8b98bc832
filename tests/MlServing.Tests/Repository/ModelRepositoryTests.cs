using System.Text.Json.Nodes;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Repository;

[Collection(ServerCollection.Name)]
public sealed class ModelRepositoryTests
{
    [Fact]
    public async Task ZeroConfig_SignatureComesFromOnnxMetadata()
    {
        using var repo = new TestRepository().AddFixture("multi-input").AddFixture("fixed-batch").AddFixture("scalar-scale").AddFixture("zipmap-classifier");
        await using var factory = new MlServingFactory(repo.Path);
        await factory.StartAsync();

        var multi = factory.Repository.Find("multi-input", null).Version!;
        Assert.Equal(["a", "b"], multi.Signature.InputNames);
        Assert.Equal(["sum", "product"], multi.Signature.OutputNames);
        Assert.All(multi.Signature.Inputs, i => Assert.Equal([-1L, 3L], i.Shape));
        Assert.All(multi.Signature.Inputs, i => Assert.Equal(TensorDataType.Float32, i.DataType));
        Assert.True(multi.Signature.IsBatchable);

        Assert.False(factory.Repository.Find("fixed-batch", null).Version!.Signature.IsBatchable);
        Assert.False(factory.Repository.Find("scalar-scale", null).Version!.Signature.IsBatchable);
        var zipmap = factory.Repository.Find("zipmap-classifier", null).Version!;
        Assert.True(zipmap.Signature.IsBatchable);
        var probabilities = zipmap.Signature.Outputs.Single(o => o.Name == "output_probability");
        Assert.True(probabilities.IsMapSequence);

        // Served as a [rows, classes] tensor of the map's value type; the warm-up revealed the keys.
        Assert.Equal(TensorDataType.Float32, probabilities.DataType);
        Assert.Equal(["a", "b", "c"], probabilities.Classes!);
        Assert.Equal([-1L, 3L], probabilities.Shape);
    }

    [Theory]
    [InlineData(null, new long[] { 3 })]
    [InlineData("""{ "versionPolicy": { "latest": 2 } }""", new long[] { 3, 2 })]
    [InlineData("""{ "versionPolicy": { "all": true } }""", new long[] { 3, 2, 1 })]
    [InlineData("""{ "versionPolicy": { "specific": [1, 3] } }""", new long[] { 3, 1 })]
    public async Task VersionPolicy_SelectsTheVersionsToServe(string? config, long[] expected)
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1, 2, 3);
        if (config is not null)
        {
            repo.WithConfig("m", config);
        }

        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        Assert.True(factory.Repository.TryGetEntry("m", out var entry));
        Assert.Equal(expected, entry.Versions.Select(v => v.Version).ToArray());
        Assert.All(entry.Versions, v => Assert.Equal(ModelState.Ready, v.State));
        Assert.Equal(expected[0], factory.Repository.Find("m", null).Version!.Version);

        var excluded = new long[] { 1, 2, 3 }.Except(expected).FirstOrDefault();
        if (excluded != 0)
        {
            var response = await client.GetAsync($"/v2/models/m/versions/{excluded}");
            Assert.Equal(404, (int)response.StatusCode);
        }
    }

    [Fact]
    public async Task VersionPolicy_SpecificVersionThatDoesNotExist_IsReportedAsFailed()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1).WithConfig("m", """{ "versionPolicy": { "specific": [1, 5] } }""");
        await using var factory = new MlServingFactory(repo.Path);
        await factory.StartAsync();

        factory.Repository.TryGetEntry("m", out var entry);
        var missing = entry.Versions.Single(v => v.Version == 5);
        Assert.Equal(ModelState.Unavailable, missing.State);
        Assert.Contains("no folder", missing.Reason);
        Assert.NotNull(factory.Repository.Find("m", "1").Version);
    }

    public static TheoryData<string, byte[], string> BrokenModels => new()
    {
        { "1/model.onnx", "this is not a protobuf"u8.ToArray(), "ONNX Runtime cannot load" },
        { "1/model.onnx", [], "ONNX Runtime cannot load" },
        { "config.json", "{ not json"u8.ToArray(), "config.json is not valid" },
        { "config.json", """{ "maxBatchSize": -1 }"""u8.ToArray(), "maxBatchSize" },
        { "config.json", """{ "maxBatchSise": 8 }"""u8.ToArray(), "maxBatchSise" },
        { "config.json", """{ "executionProvider": "tpu" }"""u8.ToArray(), "executionProvider" },
        { "config.json", """{ "versionPolicy": { "latest": 1, "all": true } }"""u8.ToArray(), "exactly one" },
        { "config.json", """{ "features": ["a", "b", "c"] }"""u8.ToArray(), "3 features" },
        { "config.json", """{ "warmup": { "inputs": [ { "name": "nope", "datatype": "FP32", "shape": [1, 2], "data": [1, 2] } ] } }"""u8.ToArray(), "warmup input 'nope'" },
        { "config.json", """{ "warmup": { "inputs": [ { "name": "x", "datatype": "FP32", "shape": [1, 2], "data": [1, 2, 3] } ] } }"""u8.ToArray(), "needs 2 elements" },
    };

    [Theory]
    [MemberData(nameof(BrokenModels))]
    public async Task BrokenModel_IsReportedAndSkipped_TheOthersServe(string file, byte[] content, string reason)
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "broken").AddFixture("identity-fp32", "good");
        repo.WithFile(Path.Combine("broken", file), content);
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var index = (await (await client.PostAsync("/v2/repository/index", null)).ExpectAsync(200)).AsArray();
        var broken = index.Where(e => e!["name"]!.GetValue<string>() == "broken").ToArray();
        Assert.NotEmpty(broken);
        Assert.All(broken, e => Assert.Equal("UNAVAILABLE", e!["state"]!.GetValue<string>()));
        Assert.Contains(reason, string.Join(" ", broken.Select(e => e!["reason"]!.GetValue<string>())), StringComparison.Ordinal);

        var ok = await client.PostJsonAsync("/v2/models/good/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");
        Assert.Equal(200, (int)ok.StatusCode);
        var unavailable = await client.PostJsonAsync("/v2/models/broken/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");
        Assert.Equal(503, (int)unavailable.StatusCode);
        Assert.Contains("broken", (await unavailable.ReadJsonAsync())["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task EmptyVersionFolderOrNoVersions_AreReported()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "good");
        Directory.CreateDirectory(Path.Combine(repo.Path, "no-versions", "not-a-number"));
        Directory.CreateDirectory(Path.Combine(repo.Path, "empty-version", "1"));
        await using var factory = new MlServingFactory(repo.Path);
        await factory.StartAsync();

        factory.Repository.TryGetEntry("no-versions", out var noVersions);
        Assert.Contains("no version folders", noVersions.Reason);
        factory.Repository.TryGetEntry("empty-version", out var emptyVersion);
        Assert.Contains("model.onnx is missing", emptyVersion.Versions.Single().Reason);
    }

    [Fact]
    public async Task Reload_PublishesNewVersions_AndAFailedReloadKeepsTheOldOnesServing()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1);
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        var v1 = factory.Repository.Find("m", null).Version!;

        repo.AddFixture("identity-fp32", "m", 2);
        var load = await client.PostAsync("/v2/repository/models/m/load", null);
        Assert.Equal(200, (int)load.StatusCode);
        Assert.Equal(2, factory.Repository.Find("m", null).Version!.Version);
        Assert.NotSame(v1, factory.Repository.Find("m", null).Version);

        repo.WithFile(Path.Combine("m", "3", "model.onnx"), [1, 2, 3]);
        File.Delete(Path.Combine(repo.Path, "m", "2", "model.onnx"));
        var failed = await client.PostAsync("/v2/repository/models/m/load", null);
        Assert.Equal(400, (int)failed.StatusCode);
        Assert.Contains("failed to load", (await failed.ReadJsonAsync())["error"]!.GetValue<string>());
        Assert.Equal(2, factory.Repository.Find("m", null).Version!.Version);
        var infer = await client.PostJsonAsync("/v2/models/m/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");
        Assert.Equal(200, (int)infer.StatusCode);
    }

    [Fact]
    public async Task Unload_StopsServing_LoadBringsItBack()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m").AddFixture("identity-fp64", "other");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        const string body = """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""";

        Assert.Equal(200, (int)(await client.PostAsync("/v2/repository/models/m/unload", null)).StatusCode);
        Assert.Equal(404, (int)(await client.PostJsonAsync("/v2/models/m/infer", body)).StatusCode);
        Assert.Equal(404, (int)(await client.PostAsync("/v2/repository/models/m/unload", null)).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/health/ready")).StatusCode);

        Assert.Equal(200, (int)(await client.PostAsync("/v2/repository/models/m/load", null)).StatusCode);
        Assert.Equal(200, (int)(await client.PostJsonAsync("/v2/models/m/infer", body)).StatusCode);
        Assert.Equal(404, (int)(await client.PostAsync("/v2/repository/models/nope/load", null)).StatusCode);
        Assert.Equal(404, (int)(await client.PostAsync("/v2/repository/models/..%2F..%2Fetc/load", null)).StatusCode);
    }

    [Fact]
    public async Task RepositoryIndex_ReadyFilter_ListsOnlyReadyVersions()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "good").WithFile(Path.Combine("bad", "1", "model.onnx"), [0]);
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var all = (await (await client.PostAsync("/v2/repository/index", null)).ExpectAsync(200)).AsArray();
        var ready = (await (await client.PostJsonAsync("/v2/repository/index", new JsonObject { ["ready"] = true })).ExpectAsync(200)).AsArray();

        Assert.Equal(2, all.Count);
        var only = Assert.Single(ready);
        Assert.Equal("good", only!["name"]!.GetValue<string>());
        Assert.Equal("1", only["version"]!.GetValue<string>());
        Assert.Equal("READY", only["state"]!.GetValue<string>());
    }
}
