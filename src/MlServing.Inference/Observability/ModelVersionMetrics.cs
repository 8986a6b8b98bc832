using Prometheus;

namespace MlServing.Inference.Observability;

/// <summary>The labelled children of one model version, resolved once when the version loads.</summary>
public sealed class ModelVersionMetrics
{
    private readonly Counter.Child[] _requests;
    private readonly Histogram.Child[] _requestDuration;

    internal ModelVersionMetrics(MlServingMetrics metrics, string model, string version)
    {
        var protocols = MlServingMetrics.ProtocolLabels;
        var outcomes = MlServingMetrics.OutcomeLabels;
        _requests = new Counter.Child[protocols.Length * outcomes.Length];
        _requestDuration = new Histogram.Child[protocols.Length];
        for (var p = 0; p < protocols.Length; p++)
        {
            _requestDuration[p] = metrics.RequestDuration.WithLabels(model, version, protocols[p]);
            for (var o = 0; o < outcomes.Length; o++)
            {
                // Publish every outcome at zero so rates and ratios exist before the first failure.
                _requests[(p * outcomes.Length) + o] = metrics.Requests.WithLabels(model, version, protocols[p], outcomes[o]);
                _requests[(p * outcomes.Length) + o].Publish();
            }
        }

        QueueDuration = metrics.QueueDuration.WithLabels(model, version);
        ComputeDuration = metrics.ComputeDuration.WithLabels(model, version);
        BatchSize = metrics.BatchSize.WithLabels(model, version);
        QueueDepth = metrics.QueueDepth.WithLabels(model, version);
        Ready = metrics.ModelReady.WithLabels(model, version);
        CacheHits = metrics.CacheLookups.WithLabels(model, version, "hit");
        CacheMisses = metrics.CacheLookups.WithLabels(model, version, "miss");
        CacheErrors = metrics.CacheLookups.WithLabels(model, version, "error");
        QueueDuration.Publish();
        ComputeDuration.Publish();
        BatchSize.Publish();
        QueueDepth.Publish();
        CacheHits.Publish();
        CacheMisses.Publish();
        CacheErrors.Publish();
    }

    public Histogram.Child QueueDuration { get; }

    public Histogram.Child ComputeDuration { get; }

    public Histogram.Child BatchSize { get; }

    public Gauge.Child QueueDepth { get; }

    public Gauge.Child Ready { get; }

    public Counter.Child CacheHits { get; }

    public Counter.Child CacheMisses { get; }

    public Counter.Child CacheErrors { get; }

    public void CountRequest(RequestProtocol protocol, RequestOutcome outcome, double seconds)
    {
        _requests[((int)protocol * MlServingMetrics.OutcomeLabels.Length) + (int)outcome].Inc();
        _requestDuration[(int)protocol].Observe(seconds);
    }
}
