using System.Runtime;

namespace MlServing.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        StartJitProfile(args);
        return CliApplication.InvokeAsync(args, CliConsole.System, handleSignals: true);
    }

    /// <summary>
    /// Multicore JIT (<see cref="ProfileOptimization"/>): the methods a command compiled in its last run are compiled
    /// again on a spare core while this run starts (a third of a second off the start of <c>score</c> on two cores). One
    /// profile per command in <c>mlserving/jit</c> of the user's cache folder; nothing is lost if it cannot be written.
    /// </summary>
    private static void StartJitProfile(string[] args)
    {
        if (CacheFolder() is not { } cache)
        {
            return;
        }

        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(cache, "mlserving", "jit")).FullName;
            ProfileOptimization.SetProfileRoot(folder);
            ProfileOptimization.StartProfile((args.Length > 0 && args[0] is "score" or "profile" ? args[0] : "other") + ".jitprofile");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only or missing home: the run only starts slower.
        }
    }

    /// <summary><c>$XDG_CACHE_HOME</c> or <c>~/.cache</c> on Linux, the local application data folder elsewhere.</summary>
    private static string? CacheFolder()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) is { Length: > 0 } local ? local : null;
        }

        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return xdg;
        }

        return Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".cache") : null;
    }
}
