using Prometheus;

namespace MlServing.Inference.Observability;

/// <summary>
/// The engine's instruments (docs/OBSERVABILITY.md): queue, batch, compute, cache and model state, defined once on
/// the host's registry. Labelled children are resolved per model version in <see cref="ModelVersionMetrics"/> so the
/// request path never looks a label up. Request counts by protocol belong to the front ends.
/// </summary>
public sealed class EngineMetrics
{
    internal static readonly string[] CacheResultLabels = ["hit", "miss", "error"];

    /// <summary>50 µs doubling to ~13 s: fine enough for sub-millisecond inference, wide enough for slow models.</summary>
    public static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.00005, 2, 19);

    public static readonly double[] BatchSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    public EngineMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = MetricFactories.For(registry);
        string[] modelVersion = ["model", "version"];
        QueueDuration = factory.CreateHistogram(
            "mlserving_queue_duration_seconds", "Time a request waited before its batch started.",
            new HistogramConfiguration { LabelNames = modelVersion, Buckets = DurationBuckets });
        ComputeDuration = factory.CreateHistogram(
            "mlserving_compute_duration_seconds", "ONNX Runtime time per executed batch.",
            new HistogramConfiguration { LabelNames = modelVersion, Buckets = DurationBuckets });
        BatchSize = factory.CreateHistogram(
            "mlserving_batch_size", "Rows per executed batch.",
            new HistogramConfiguration { LabelNames = modelVersion, Buckets = BatchSizeBuckets });
        QueueDepth = factory.CreateGauge(
            "mlserving_queue_depth", "Rows waiting to be batched.",
            new GaugeConfiguration { LabelNames = modelVersion });
        QueueCapacity = factory.CreateGauge(
            "mlserving_queue_capacity", "Rows the version's queue holds at most (batching.maxQueueSize); beyond it requests are rejected.",
            new GaugeConfiguration { LabelNames = modelVersion });
        CacheLookups = factory.CreateCounter(
            "mlserving_cache_lookups_total", "Prediction cache lookups by result.",
            new CounterConfiguration { LabelNames = ["model", "version", "result"] });
        ModelReady = factory.CreateGauge(
            "mlserving_model_ready", "1 when the model version serves, 0 when it failed to load or is loading.",
            new GaugeConfiguration { LabelNames = modelVersion });
        ModelLoadFailures = factory.CreateCounter(
            "mlserving_model_load_failures_total", "Model versions (or model configs) that failed to load.",
            new CounterConfiguration { LabelNames = ["model"] });
    }

    /// <summary>The host's registry: every MlServing series of this host, and only of this host.</summary>
    public CollectorRegistry Registry { get; }

    public Histogram QueueDuration { get; }

    public Histogram ComputeDuration { get; }

    public Histogram BatchSize { get; }

    public Gauge QueueDepth { get; }

    public Gauge QueueCapacity { get; }

    public Counter CacheLookups { get; }

    public Gauge ModelReady { get; }

    public Counter ModelLoadFailures { get; }

    public ModelVersionMetrics ForVersion(string model, string version) => new(this, model, version);

    /// <summary>Removes every engine series of a version that is gone, so dashboards do not show it forever.</summary>
    public void Remove(string model, string version)
    {
        foreach (var result in CacheResultLabels)
        {
            CacheLookups.RemoveLabelled(model, version, result);
        }

        QueueDuration.RemoveLabelled(model, version);
        ComputeDuration.RemoveLabelled(model, version);
        BatchSize.RemoveLabelled(model, version);
        QueueDepth.RemoveLabelled(model, version);
        QueueCapacity.RemoveLabelled(model, version);
        ModelReady.RemoveLabelled(model, version);
    }
}
