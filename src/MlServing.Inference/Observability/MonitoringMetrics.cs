using Prometheus;

namespace MlServing.Inference.Observability;

/// <summary>
/// The model monitoring instruments (docs/MONITORING.md) on the host's registry: drift, predictions by class, feedback,
/// accuracy and data capture. Labelled children are resolved once per version by its monitor.
/// </summary>
public sealed class MonitoringMetrics
{
    public MonitoringMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = MetricFactories.For(registry);
        FeatureDrift = factory.CreateGauge(
            "mlserving_feature_drift_psi", "Population stability index of a feature over the sliding window against the reference profile (absent below MinRows rows).",
            new GaugeConfiguration { LabelNames = ["model", "version", "feature"], SuppressInitialValue = true });
        PredictionDrift = factory.CreateGauge(
            "mlserving_prediction_drift_psi", "Population stability index of the predicted classes over the sliding window against the reference profile (absent below MinRows rows).",
            new GaugeConfiguration { LabelNames = ["model", "version", "output"], SuppressInitialValue = true });
        Predictions = factory.CreateCounter(
            "mlserving_predictions_total", "Rows predicted, by classifier output and class (the label when configured).",
            new CounterConfiguration { LabelNames = ["model", "version", "output", "class"] });
        Feedback = factory.CreateCounter(
            "mlserving_feedback_total", "Rows of ground truth joined to a stored prediction, by result (correct, incorrect, regression).",
            new CounterConfiguration { LabelNames = ["model", "version", "result"] });
        Accuracy = factory.CreateGauge(
            "mlserving_model_accuracy", "Share of correct predictions over the most recent joined feedback rows (MlServing:Monitoring:FeedbackWindow).",
            new GaugeConfiguration { LabelNames = ["model", "version"], SuppressInitialValue = true });
        AccuracyFloor = factory.CreateGauge(
            "mlserving_model_accuracy_floor", "The accuracy under which MlServingAccuracyBelowFloor fires (config.json accuracyFloor or MlServing:Monitoring:AccuracyFloor).",
            new GaugeConfiguration { LabelNames = ["model", "version"], SuppressInitialValue = true });
        MeanAbsoluteError = factory.CreateGauge(
            "mlserving_model_mae", "Mean absolute error over the most recent joined feedback rows of a regression model (MlServing:Monitoring:FeedbackWindow).",
            new GaugeConfiguration { LabelNames = ["model", "version"], SuppressInitialValue = true });
        CaptureDropped = factory.CreateCounter(
            "mlserving_capture_dropped_total", "Sampled requests not captured because the capture queue was full (the sink cannot keep up).",
            new CounterConfiguration { LabelNames = ["model"] });
    }

    public CollectorRegistry Registry { get; }

    public Gauge FeatureDrift { get; }

    public Gauge PredictionDrift { get; }

    public Counter Predictions { get; }

    public Counter Feedback { get; }

    public Gauge Accuracy { get; }

    public Gauge AccuracyFloor { get; }

    public Gauge MeanAbsoluteError { get; }

    public Counter CaptureDropped { get; }
}
