using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Monitoring;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Monitoring;

/// <summary>Monitoring across a version's life: loaded with or without a usable profile, reloaded, unloaded; and bad settings.</summary>
[Collection(ServerCollection.Name)]
public sealed class MonitoringLifecycleTests
{
    private static readonly (string, string) Model = ("model", WineModel.Name);

    [Fact]
    public async Task SeriesSurviveAReloadOfTheSameVersion_AndGoWhenTheModelIsUnloaded()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository();
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();
        await WineModel.SendAsync(client, data.Rows, 300, seed: 7);
        var loaded = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(data.Features.Length, PrometheusText.Series(loaded, "mlserving_feature_drift_psi", Model).Count);
        Assert.Equal(300, PrometheusText.Sample(loaded, "mlserving_predictions_total", Model));

        // A reload builds a new monitor before the old version retires: the series stay, the counters keep counting.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.PostAsync("/v2/repository/models/wine-classifier/load", null)).StatusCode);
        await WineModel.SendAsync(client, data.Rows, 50, seed: 8);
        var reloaded = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(350, PrometheusText.Sample(reloaded, "mlserving_predictions_total", Model));
        Assert.Equal(WineModel.Labels.Length, PrometheusText.Series(reloaded, "mlserving_predictions_total", Model).Count);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.PostAsync("/v2/repository/models/wine-classifier/unload", null)).StatusCode);
        await Eventually.TrueAsync(
            () => !PrometheusText.ScrapeAsync(client).GetAwaiter().GetResult().Contains("model=\"wine-classifier\",version=\"1\",output=", StringComparison.Ordinal),
            "the unloaded version's monitoring series to go");
        Assert.Empty(PrometheusText.Series(await PrometheusText.ScrapeAsync(client), "mlserving_feature_drift_psi", Model));
    }

    [Fact]
    public async Task AProfileThatDoesNotFitTheModel_IsLoggedAndIgnored_AndTheVersionServes()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository(withProfile: false);
        File.WriteAllText(Path.Combine(repo.Path, WineModel.Name, "1", ReferenceProfile.FileName), """
            {"rows": 10, "features": [{"name": "no_such_feature", "edges": [1, 2], "fractions": [0.2, 0.3, 0.5]}]}
            """);
        var logger = new ListLogger<VersionMonitor>();
        await using var factory = new MlServingFactory(repo.Path, services: s => s.AddSingleton<ILogger<VersionMonitor>>(logger));
        var client = await factory.StartAsync();

        await WineModel.SendAsync(client, data.Rows, 300, seed: 9);
        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Empty(PrometheusText.Series(metrics, "mlserving_feature_drift_psi", Model));
        Assert.Equal(300, PrometheusText.Sample(metrics, "mlserving_predictions_total", Model));
        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("'no_such_feature' is not a column of input 'input'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MlServing:Monitoring:WindowSeconds", "0")]
    [InlineData("MlServing:Monitoring:Capture:SampleRate", "1.5")]
    [InlineData("MlServing:Monitoring:FeedbackProvider", "disk")]
    public async Task AnInvalidSetting_StopsTheStart_NamingTheKey(string key, string value)
    {
        using var repo = new TestRepository().AddFixture("fp64-regressor", "m");
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { [key] = value });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(factory.StartAsync);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
