using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Monitoring.Capture;
using MlServing.Inference.Monitoring.Feedback;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;

namespace MlServing.Inference.Monitoring;

/// <summary>Puts a version's monitor above its prediction cache (stage 100), unless <c>MlServing:Monitoring:Enabled</c> is false.</summary>
internal sealed class MonitoringStage : IPipelineStage
{
    private readonly MonitoringOptions _options;
    private readonly TimeProvider _time;
    private readonly MonitoringMetrics _metrics;
    private readonly ModelMonitors _monitors;
    private readonly FeedbackService _feedback;
    private readonly CaptureWriter _capture;
    private readonly ILogger<VersionMonitor> _logger;

    public MonitoringStage(IOptions<MonitoringOptions> options, TimeProvider time, MonitoringMetrics metrics, ModelMonitors monitors, FeedbackService feedback, CaptureWriter capture, ILogger<VersionMonitor> logger)
    {
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _monitors = monitors;
        _feedback = feedback;
        _capture = capture;
        _logger = logger;
    }

    public int Order => 200;

    public IInferencePipeline Wrap(IInferencePipeline inner, PipelineContext context)
    {
        if (!_options.Enabled)
        {
            return inner;
        }

        var monitor = new VersionMonitor(context, _options, _time, _metrics, _feedback, _capture, _logger);
        _monitors.Register(monitor);
        return new MonitoringPipeline(inner, monitor, _monitors, _time);
    }
}
