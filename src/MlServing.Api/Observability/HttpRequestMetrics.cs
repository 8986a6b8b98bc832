using System.Collections.Concurrent;
using System.Globalization;
using MlServing.Inference.Observability;
using Prometheus;

namespace MlServing.Api.Observability;

/// <summary>
/// <c>http_request_duration_seconds{code,method,endpoint}</c> for every route (probes, metadata, repository, inference),
/// the one HTTP metric besides the inference request metrics; <c>endpoint</c> is the route pattern, never the raw path.
/// </summary>
public sealed class HttpRequestMetrics
{
    private readonly Histogram _duration;
    private readonly ConcurrentDictionary<(Endpoint? Endpoint, string Method, int Status), Histogram.Child> _children = new();

    public HttpRequestMetrics(CollectorRegistry registry) =>
        _duration = MetricFactories.For(registry).CreateHistogram(
            "http_request_duration_seconds", "HTTP requests by status code, method and route pattern: time until the response was written.",
            new HistogramConfiguration { LabelNames = ["code", "method", "endpoint"], Buckets = EngineMetrics.DurationBuckets });

    public void Observe(HttpContext context, int status, double seconds)
    {
        var key = (context.GetEndpoint(), context.Request.Method, status);
        if (!_children.TryGetValue(key, out var child))
        {
            child = _children.GetOrAdd(key, k => _duration.WithLabels(
                k.Status.ToString(CultureInfo.InvariantCulture),
                k.Method,
                (k.Endpoint as RouteEndpoint)?.RoutePattern.RawText ?? string.Empty));
        }

        child.Observe(seconds);
    }
}
