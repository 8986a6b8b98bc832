using System.Globalization;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;
using Prometheus;

namespace MlServing.Inference.Rollout;

/// <summary>
/// <c>mlserving_traffic_weight{model,version}</c> (the weight in force, e.g. 90; without a split the newest ready
/// version has 100) and <c>mlserving_shadow_requests_total{model,version,shadow_version,result}</c>.
/// </summary>
public sealed class RolloutMetrics
{
    private readonly Gauge _weight;
    private readonly Counter _shadow;

    public RolloutMetrics(CollectorRegistry registry)
    {
        var factory = MetricFactories.For(registry);
        _weight = factory.CreateGauge(
            "mlserving_traffic_weight", "Traffic weight in force per version (as configured, e.g. 90; 100 for the only version that answers).",
            new GaugeConfiguration { LabelNames = ["model", "version"] });
        _shadow = factory.CreateCounter(
            "mlserving_shadow_requests_total", "Shadow copies by result: agree, disagree, error, dropped.",
            new CounterConfiguration { LabelNames = ["model", "version", "shadow_version", "result"] });
    }

    /// <summary>Publishes the weights of an entry that was just put in force.</summary>
    public void Weights(ModelEntry entry)
    {
        foreach (var status in entry.Versions)
        {
            var weight = entry.Traffic is { HasSplit: true } traffic
                ? traffic.WeightOf(status.Version)
                : ReferenceEquals(entry.Latest, status.Loaded) && status.Loaded is not null ? 100 : 0;
            _weight.WithLabels(entry.Name, status.Version.ToString(CultureInfo.InvariantCulture)).Set(weight);
        }
    }

    public void RemoveWeight(string model, string version) => _weight.RemoveLabelled(model, version);

    public Counter.Child Shadow(string model, string version, string shadowVersion, ShadowResult result) =>
        _shadow.WithLabels(model, version, shadowVersion, result switch
        {
            ShadowResult.Agree => "agree",
            ShadowResult.Disagree => "disagree",
            ShadowResult.Error => "error",
            _ => "dropped",
        });
}
