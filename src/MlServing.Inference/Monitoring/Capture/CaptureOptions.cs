namespace MlServing.Inference.Monitoring.Capture;

/// <summary>Configuration section <c>MlServing:Monitoring:Capture</c>: sampled requests and answers written as JSON Lines.</summary>
public sealed class CaptureOptions
{
    /// <summary>Share of answered requests written, 0 (off) to 1 (all).</summary>
    public double SampleRate { get; set; }

    /// <summary>The file written (rotated files get <c>.1</c>, <c>.2</c>, … before the extension), or <c>-</c> for standard output.</summary>
    public string Path { get; set; } = "-";

    /// <summary>Size at which the file is rotated.</summary>
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Files kept, the one being written included.</summary>
    public int MaxFiles { get; set; } = 10;

    /// <summary>Feature (or input) names written as null, for every model.</summary>
    public string[] RedactFeatures { get; set; } = [];

    /// <summary>Records waiting to be written; when full, a record is dropped and counted.</summary>
    public int QueueSize { get; set; } = 10_000;
}
