namespace MlServing.Inference.Monitoring.Capture;

/// <summary>Where captured lines go: a rotated file or standard output. Used by the capture writer's one loop only.</summary>
internal abstract class CaptureSink : IDisposable
{
    /// <summary>Writes one line (the JSON and its newline).</summary>
    public abstract void WriteLine(ReadOnlySpan<byte> line);

    public abstract void Flush();

    public abstract void Dispose();

    public static CaptureSink Open(CaptureOptions options) =>
        options.Path == "-" ? new ConsoleCaptureSink() : new FileCaptureSink(options.Path, options.MaxFileBytes, options.MaxFiles);
}
