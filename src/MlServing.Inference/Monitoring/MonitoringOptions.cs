using MlServing.Inference.Monitoring.Capture;

namespace MlServing.Inference.Monitoring;

/// <summary>Configuration section <c>MlServing:Monitoring</c> (docs/MONITORING.md): drift window, predictions, feedback and capture.</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "MlServing:Monitoring";

    /// <summary>False: no prediction counts, drift, stored predictions for feedback or data capture (request ids stay).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Length of the sliding window drift is computed over.</summary>
    public int WindowSeconds { get; set; } = 300;

    /// <summary>Rows the window must hold before a drift series is exported.</summary>
    public int MinRows { get; set; } = 200;

    /// <summary>Distinct classes counted per output; further ones are counted as <c>__other__</c> (bounds the series).</summary>
    public int MaxClasses { get; set; } = 100;

    /// <summary>"memory", "redis" or "none"; unset = redis when <c>ConnectionStrings:Redis</c> is set, else memory.</summary>
    public string? FeedbackProvider { get; set; }

    /// <summary>How long a prediction waits for its feedback.</summary>
    public int FeedbackTtlSeconds { get; set; } = 3600;

    /// <summary>Joined rows the accuracy / MAE gauges are computed over (the most recent ones).</summary>
    public int FeedbackWindow { get; set; } = 1000;

    /// <summary>Predictions the in-process feedback store keeps at most (the oldest go first).</summary>
    public int FeedbackMaxEntries { get; set; } = 100_000;

    /// <summary>Server-wide default of <c>mlserving_model_accuracy_floor</c> (the alert threshold); a model's config.json <c>accuracyFloor</c> overrides it. Null: no floor.</summary>
    public double? AccuracyFloor { get; set; }

    public CaptureOptions Capture { get; set; } = new();
}
