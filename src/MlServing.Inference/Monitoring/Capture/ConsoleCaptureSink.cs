using System.Text;

namespace MlServing.Inference.Monitoring.Capture;

/// <summary>Standard output, one whole line per write through the console's synchronized writer, so lines never interleave with log lines.</summary>
internal sealed class ConsoleCaptureSink : CaptureSink
{
    public override void WriteLine(ReadOnlySpan<byte> line) => Console.Out.Write(Encoding.UTF8.GetString(line));

    public override void Flush() => Console.Out.Flush();

    public override void Dispose()
    {
    }
}
