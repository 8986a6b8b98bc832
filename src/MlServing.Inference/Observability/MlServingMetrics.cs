using Prometheus;

namespace MlServing.Inference.Observability;

/// <summary>
/// Every MlServing instrument, defined once (DESIGN §4). Labelled children are resolved per model version in
/// <see cref="ModelVersionMetrics"/> so the request path never looks a label up.
/// </summary>
public sealed class MlServingMetrics
{
    internal static readonly string[] ProtocolLabels = ["predict", "v2"];
    internal static readonly string[] OutcomeLabels = ["success", "invalid", "not_found", "rejected", "timeout", "error"];
    internal static readonly string[] CacheResultLabels = ["hit", "miss", "error"];

    /// <summary>50 µs doubling to ~13 s: fine enough for sub-millisecond inference, wide enough for slow models.</summary>
    public static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.00005, 2, 19);

    public static readonly double[] BatchSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    public MlServingMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        string[] modelVersion = ["model", "version"];
        Requests = factory.CreateCounter(
            "mlserving_inference_requests_total", "Inference requests by protocol and outcome.",
            new CounterConfiguration { LabelNames = ["model", "version", "protocol", "outcome"] });
        RequestDuration = factory.CreateHistogram(
            "mlserving_request_duration_seconds", "Server time per inference request, from the first byte read to the last byte written.",
            new HistogramConfiguration { LabelNames = ["model", "version", "protocol"], Buckets = DurationBuckets });
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

    public Counter Requests { get; }

    public Histogram RequestDuration { get; }

    public Histogram QueueDuration { get; }

    public Histogram ComputeDuration { get; }

    public Histogram BatchSize { get; }

    public Gauge QueueDepth { get; }

    public Counter CacheLookups { get; }

    public Gauge ModelReady { get; }

    public Counter ModelLoadFailures { get; }

    public ModelVersionMetrics ForVersion(string model, string version) => new(this, model, version);

    /// <summary>Requests that never reached a model (unknown name): labels stay bounded whatever clients send.</summary>
    public void CountUnresolved(RequestProtocol protocol, RequestOutcome outcome, double seconds)
    {
        Requests.WithLabels("", "", ProtocolLabels[(int)protocol], OutcomeLabels[(int)outcome]).Inc();
        RequestDuration.WithLabels("", "", ProtocolLabels[(int)protocol]).Observe(seconds);
    }

    /// <summary>Removes every series of a version that is gone, so dashboards do not show it forever.</summary>
    public void Remove(string model, string version)
    {
        foreach (var protocol in ProtocolLabels)
        {
            RequestDuration.RemoveLabelled(model, version, protocol);
            foreach (var outcome in OutcomeLabels)
            {
                Requests.RemoveLabelled(model, version, protocol, outcome);
            }
        }

        foreach (var result in CacheResultLabels)
        {
            CacheLookups.RemoveLabelled(model, version, result);
        }

        QueueDuration.RemoveLabelled(model, version);
        ComputeDuration.RemoveLabelled(model, version);
        BatchSize.RemoveLabelled(model, version);
        QueueDepth.RemoveLabelled(model, version);
        ModelReady.RemoveLabelled(model, version);
    }
}
