using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MlServing.Tests.Infrastructure;

/// <summary>Signals and clean-up for the child processes tests start (the service, the CLI).</summary>
public static partial class ChildProcess
{
    public const int SigInt = 2;

    public const int SigTerm = 15;

    /// <summary>Sends a POSIX signal; asserts it was delivered.</summary>
    public static void Signal(Process process, int signal) => Assert.Equal(0, Kill(process.Id, signal));

    /// <summary>Kills the process tree if it still runs, waits for it (bounded) and releases it.</summary>
    public static async ValueTask StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
