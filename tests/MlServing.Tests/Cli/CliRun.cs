using MlServing.Cli;

namespace MlServing.Tests.Cli;

/// <summary>Runs the mlserving command line in this process (as Program does, minus signal handling) and captures its output.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.InvokeAsync(args, new CliConsole(output, error, ErrorIsTerminal: false), handleSignals: false).WaitAsync(TimeSpan.FromMinutes(3));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts the exit code, showing what the command printed when it differs.</summary>
    public CliRun Expect(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"expected exit code {exitCode}, got {ExitCode}\nstdout: {Out}\nstderr: {Error}");
        return this;
    }
}
