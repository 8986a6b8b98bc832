using Prometheus;

namespace MlServing.Inference.Observability;

/// <summary>How every MlServing metric is created: on the host's registry, without exemplars.</summary>
public static class MetricFactories
{
    /// <summary>
    /// A factory for <paramref name="registry"/> whose metrics record no exemplars: prometheus-net would otherwise read
    /// the request's trace context on every observation, which the request path pays for and nobody scrapes.
    /// </summary>
    public static IMetricFactory For(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None };
        return factory;
    }
}
