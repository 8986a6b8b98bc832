namespace MlServing.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => CliApplication.InvokeAsync(args, CliConsole.System, handleSignals: true);
}
