using System.CommandLine;
using MlServing.Cli.Commands;

namespace MlServing.Cli;

/// <summary>The <c>mlserving</c> command line: <c>score</c> and <c>profile</c>.</summary>
internal static class CliApplication
{
    public static RootCommand Create(CliConsole console, TimeProvider time)
    {
        var root = new RootCommand("mlserving: batch scoring of CSV and Parquet files and reference profiles, with the MlServing engine");
        root.Subcommands.Add(ScoreCommand.Create(console, time));
        root.Subcommands.Add(ProfileCommand.Create(console, time));
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. With <paramref name="handleSignals"/> Ctrl-C (SIGINT) and SIGTERM
    /// cancel the run, which then completes its output and exits with 130.
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, CliConsole console, bool handleSignals, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            ProcessTerminationTimeout = handleSignals ? TimeSpan.FromSeconds(60) : null,
        };
        return Create(console, TimeProvider.System).Parse(args).InvokeAsync(configuration, cancellationToken);
    }
}
