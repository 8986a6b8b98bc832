using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Monitoring;

/// <summary>
/// Drift against a profile built from the data the sample model was trained on: served rows are counted into a sliding
/// window (time from a fake clock), and PSI per feature and per predicted class is exported on scrape.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DriftTests
{
    private const string Psi = "mlserving_feature_drift_psi";
    private static readonly (string, string) Model = ("model", WineModel.Name);

    private static Dictionary<string, double> FeaturePsi(string metrics, string[] features) =>
        features.Where(f => PrometheusText.Series(metrics, Psi, Model, ("feature", f)).Count == 1)
            .ToDictionary(f => f, f => PrometheusText.Sample(metrics, Psi, Model, ("feature", f)));

    [Fact]
    public async Task FeaturePsi_IsAbsentBelowMinRows_UnderPointOneInDistribution_OverPointTwoFiveForAScaledFeatureOnly_AndRecoversAsTheWindowSlides()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:Cache:Provider"] = "none" }, s => s.AddSingleton<TimeProvider>(time));
        var client = await factory.StartAsync();

        // Below MinRows (200): no drift series at all, not zeros.
        await WineModel.SendAsync(client, data.Rows, 150, seed: 1);
        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Empty(PrometheusText.Series(metrics, Psi, Model));
        Assert.Empty(PrometheusText.Series(metrics, "mlserving_prediction_drift_psi", Model));

        // Rows drawn from the training data: every feature stable.
        await WineModel.SendAsync(client, data.Rows, 1000, seed: 2);
        var stable = FeaturePsi(await PrometheusText.ScrapeAsync(client), data.Features);
        Assert.Equal(data.Features.Length, stable.Count);
        Assert.All(stable, p => Assert.True(p.Value < 0.1, $"{p.Key}: PSI {p.Value} for in-distribution rows"));

        // The window slides past those rows: empty again, so absent again.
        time.Advance(TimeSpan.FromSeconds(301));
        Assert.Empty(PrometheusText.Series(await PrometheusText.ScrapeAsync(client), Psi, Model));

        // The same kind of rows with alcohol ×3: that feature drifts, the others stay stable.
        var alcohol = Array.IndexOf(data.Features, "alcohol");
        await WineModel.SendAsync(client, data.Rows, 1000, seed: 3, row => [.. row.Select((v, i) => i == alcohol ? v * 3 : v)]);
        var drifted = FeaturePsi(await PrometheusText.ScrapeAsync(client), data.Features);
        Assert.True(drifted["alcohol"] > 0.25, $"alcohol ×3: PSI {drifted["alcohol"]}");
        Assert.All(drifted.Where(p => p.Key != "alcohol"), p => Assert.True(p.Value < 0.1, $"{p.Key}: PSI {p.Value} while only alcohol moved"));

        // Half a window later, in-distribution rows dilute the drift; once the shifted rows slide out, it is gone.
        time.Advance(TimeSpan.FromSeconds(150));
        await WineModel.SendAsync(client, data.Rows, 3000, seed: 4);
        var diluted = FeaturePsi(await PrometheusText.ScrapeAsync(client), data.Features)["alcohol"];
        Assert.InRange(diluted, 0.1, drifted["alcohol"] - 0.01);
        time.Advance(TimeSpan.FromSeconds(160));
        var recovered = FeaturePsi(await PrometheusText.ScrapeAsync(client), data.Features);
        Assert.Equal(data.Features.Length, recovered.Count);
        Assert.All(recovered, p => Assert.True(p.Value < 0.1, $"{p.Key}: PSI {p.Value} after the shifted rows left the window"));
    }

    [Fact]
    public async Task PredictionPsi_MovesWhenTheClassMix_Moves_AndCachedRowsAndEveryClassAreCounted_ButNotTheWarmup()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = new MlServingFactory(repo.Path, services: s => s.AddSingleton<TimeProvider>(time));
        var client = await factory.StartAsync();
        const string Predictions = "mlserving_predictions_total";

        // Warm-up inferences count nowhere; configured labels exist at zero from the start.
        var initial = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(WineModel.Labels.Length, PrometheusText.Series(initial, Predictions, Model, ("output", "label")).Count);
        Assert.Equal(0, PrometheusText.Sample(initial, Predictions, Model));

        await WineModel.SendAsync(client, data.Rows, 1000, seed: 5);
        var mixed = await PrometheusText.ScrapeAsync(client);
        var stable = PrometheusText.Sample(mixed, "mlserving_prediction_drift_psi", Model, ("output", "label"));
        Assert.True(stable < 0.1, $"prediction PSI {stable} for training rows");
        Assert.Equal(1000, PrometheusText.Sample(mixed, Predictions, Model, ("output", "label")));

        // Cached rows are answered without the model, and still counted.
        var body = WineModel.PredictBody(data.Rows.Take(20));
        await (await client.PostJsonAsync("/predict", body)).ExpectAsync(200);
        await (await client.PostJsonAsync("/predict", body)).ExpectAsync(200);
        var cached = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(1040, PrometheusText.Sample(cached, Predictions, Model, ("output", "label")));
        Assert.True(PrometheusText.Sample(cached, "mlserving_cache_lookups_total", Model, ("result", "hit")) >= 20);

        // Only rows of class 0 from now on: the predicted mix moves, and each class is counted by its label.
        time.Advance(TimeSpan.FromSeconds(301));
        var classZero = data.Rows.Where((_, i) => data.Targets[i] == 0).ToArray();
        await WineModel.SendAsync(client, classZero, 500, seed: 6);
        var shifted = await PrometheusText.ScrapeAsync(client);
        var moved = PrometheusText.Sample(shifted, "mlserving_prediction_drift_psi", Model, ("output", "label"));
        Assert.True(moved > 0.25, $"prediction PSI {moved} with class 0 only");
        Assert.Equal(
            PrometheusText.Sample(cached, Predictions, Model, ("class", "class_0")) + 500,
            PrometheusText.Sample(shifted, Predictions, Model, ("class", "class_0")));
        Assert.Equal(PrometheusText.Sample(cached, Predictions, Model, ("class", "class_1")), PrometheusText.Sample(shifted, Predictions, Model, ("class", "class_1")));
    }
}
