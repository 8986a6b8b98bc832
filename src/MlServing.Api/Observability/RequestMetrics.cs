using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;
using Prometheus;

namespace MlServing.Api.Observability;

/// <summary>
/// The front ends' instruments: <c>mlserving_inference_requests_total{model,version,protocol,outcome}</c> and
/// <c>mlserving_request_duration_seconds{model,version,protocol}</c>. Children are resolved once per model version
/// and protocol; a version's series go when the repository drops it.
/// </summary>
public sealed class RequestMetrics
{
    private static readonly string[] ProtocolLabels = ["predict", "v2", "grpc"];
    private static readonly string[] OutcomeLabels = ["success", "invalid", "not_found", "rejected", "timeout", "error", "unauthorized", "forbidden", "rate_limited"];

    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly ConditionalWeakTable<ModelVersion, Children[]> _children = [];
    private readonly ConcurrentDictionary<RequestProtocol, Children> _unresolved = new();

    public RequestMetrics(CollectorRegistry registry, ModelRepository repository)
    {
        var factory = MetricFactories.For(registry);
        _requests = factory.CreateCounter(
            "mlserving_inference_requests_total", "Inference requests by protocol and outcome.",
            new CounterConfiguration { LabelNames = ["model", "version", "protocol", "outcome"] });
        _duration = factory.CreateHistogram(
            "mlserving_request_duration_seconds", "Server time per inference request, from the first byte read to the last byte written.",
            new HistogramConfiguration { LabelNames = ["model", "version", "protocol"], Buckets = EngineMetrics.DurationBuckets });
        repository.VersionRemoved += Remove;
    }

    public void Count(ModelVersion? model, RequestProtocol protocol, RequestOutcome outcome, double seconds)
    {
        var children = model is null
            ? _unresolved.GetOrAdd(protocol, p => new Children(this, string.Empty, string.Empty, p, publish: false))
            : _children.GetValue(model, Create)[(int)protocol];
        children.Requests[(int)outcome].Inc();
        children.Duration.Observe(seconds);
    }

    /// <summary>Publishes a version's series for every protocol and outcome at zero, so rates and ratios exist before the first request.</summary>
    private Children[] Create(ModelVersion model)
    {
        var children = new Children[ProtocolLabels.Length];
        for (var p = 0; p < children.Length; p++)
        {
            children[p] = new Children(this, model.Name, model.VersionText, (RequestProtocol)p, publish: true);
        }

        return children;
    }

    private void Remove(string model, string version)
    {
        foreach (var protocol in ProtocolLabels)
        {
            _duration.RemoveLabelled(model, version, protocol);
            foreach (var outcome in OutcomeLabels)
            {
                _requests.RemoveLabelled(model, version, protocol, outcome);
            }
        }
    }

    /// <summary>One protocol's children for one version (or for requests that resolved no version).</summary>
    private sealed class Children
    {
        public Children(RequestMetrics metrics, string model, string version, RequestProtocol protocol, bool publish)
        {
            var label = ProtocolLabels[(int)protocol];
            Duration = metrics._duration.WithLabels(model, version, label);
            Requests = new Counter.Child[OutcomeLabels.Length];
            for (var o = 0; o < OutcomeLabels.Length; o++)
            {
                Requests[o] = metrics._requests.WithLabels(model, version, label, OutcomeLabels[o]);
                if (publish)
                {
                    Requests[o].Publish();
                }
            }
        }

        public Histogram.Child Duration { get; }

        public Counter.Child[] Requests { get; }
    }
}
