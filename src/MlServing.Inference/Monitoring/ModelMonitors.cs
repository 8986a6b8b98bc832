using System.Collections.Concurrent;
using MlServing.Inference.Observability;

namespace MlServing.Inference.Monitoring;

/// <summary>
/// The monitor of every serving model version. Drift and prediction counts are turned into series when Prometheus
/// scrapes (a before-collect callback), never on the request path. A version's series go when its monitor is retired,
/// unless a reload of the same version number has already put a new monitor in its place.
/// </summary>
public sealed class ModelMonitors
{
    private readonly ConcurrentDictionary<(string Model, string Version), VersionMonitor> _current = new();

    public ModelMonitors(MonitoringMetrics metrics) => metrics.Registry.AddBeforeCollectCallback(Export);

    internal void Register(VersionMonitor monitor) => _current[(monitor.Model, monitor.Version)] = monitor;

    internal void Retire(VersionMonitor monitor)
    {
        if (_current.TryRemove(KeyValuePair.Create((monitor.Model, monitor.Version), monitor)))
        {
            monitor.RemoveSeries();
        }
    }

    internal VersionMonitor? Find(string model, string version) => _current.GetValueOrDefault((model, version));

    private void Export()
    {
        foreach (var monitor in _current.Values)
        {
            monitor.Export();
        }
    }
}
