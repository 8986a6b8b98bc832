using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Health;

[Collection(ServerCollection.Name)]
public sealed class HealthTests
{
    [Fact]
    public async Task Ready_WithAllModelsLoaded_Is200_AndTheModelAnswersAtOnce()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var ready = await (await client.GetAsync("/health/ready")).ExpectAsync(200);
        Assert.Equal("ready", ready["status"]!.GetValue<string>());
        Assert.Equal(200, (int)(await client.GetAsync("/v2/health/ready")).StatusCode);
        var infer = await client.PostJsonAsync("/v2/models/m/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");
        Assert.Equal(200, (int)infer.StatusCode);
    }

    [Fact]
    public async Task EmptyRepository_IsNotReady_ButAlive()
    {
        using var repo = new TestRepository();
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var ready = await (await client.GetAsync("/health/ready")).ExpectAsync(503);
        Assert.Contains("empty", ready["reason"]!.GetValue<string>());
        Assert.Equal(503, (int)(await client.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/v2/health/live")).StatusCode);
    }

    [Fact]
    public async Task MissingRepositoryFolder_IsNotReady_ButAlive()
    {
        await using var factory = new MlServingFactory(Path.Combine(Path.GetTempPath(), "mlserving-does-not-exist-" + Guid.NewGuid().ToString("N")));
        var client = await factory.StartAsync();

        Assert.Equal(503, (int)(await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Strict_AFailedModel_MakesReadiness503NamingIt_WhileHealthyModelsAnswer()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "good").WithFile(Path.Combine("broken", "1", "model.onnx"), [1, 2, 3]);
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var ready = await (await client.GetAsync("/health/ready")).ExpectAsync(503);
        Assert.Contains("broken", ready["reason"]!.GetValue<string>());
        var models = ready["models"]!.AsArray();
        Assert.Contains(models, m => m!["name"]!.GetValue<string>() == "broken" && m["state"]!.GetValue<string>() == "unavailable");
        var infer = await client.PostJsonAsync("/v2/models/good/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");
        Assert.Equal(200, (int)infer.StatusCode);
    }

    [Fact]
    public async Task NonStrict_AFailedModel_StillReady()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "good").WithFile(Path.Combine("broken", "1", "model.onnx"), [1, 2, 3]);
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:Readiness:Strict"] = "false" });
        var client = await factory.StartAsync();

        Assert.Equal(200, (int)(await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task NoStartupLoad_NotReadyUntilAModelIsLoadedThroughTheApi()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:ModelRepository:LoadOnStartup"] = "false" });
        var client = await factory.StartAsync();

        Assert.Equal(503, (int)(await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(200, (int)(await client.PostAsync("/v2/repository/models/m/load", null)).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task ConfiguredWarmup_ThatTheModelRejects_FailsTheLoad()
    {
        // dynamic-hw needs a 4-D image; a configured warm-up with the right element count but H=0 is rejected.
        using var repo = new TestRepository().AddFixture("fixed-batch", "m")
            .WithConfig("m", """{ "warmup": { "inputs": [ { "name": "input", "datatype": "FP32", "shape": [2, 4], "data": [1,2,3,4,5,6,7,8] } ] } }""");
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var ready = await (await client.GetAsync("/health/ready")).ExpectAsync(503);
        Assert.Contains("warm-up", ready["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvalidServerConfiguration_StopsTheProcessAtBoot()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:Runtime:ExecutionProvider"] = "tpu" });

        var error = await Assert.ThrowsAnyAsync<Exception>(factory.StartAsync);
        Assert.Contains("MlServing:Runtime:ExecutionProvider", error.ToString());
    }
}
