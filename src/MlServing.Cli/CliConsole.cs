namespace MlServing.Cli;

/// <summary>Where the commands write: results on <see cref="Out"/>, progress, listings and errors on <see cref="Error"/>.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal)
{
    /// <summary>The process's own console; progress is drawn as a bar when standard error is a terminal.</summary>
    public static CliConsole System => new(Console.Out, Console.Error, !Console.IsErrorRedirected);
}
