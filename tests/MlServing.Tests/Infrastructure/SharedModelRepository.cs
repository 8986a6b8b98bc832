namespace MlServing.Tests.Infrastructure;

/// <summary>
/// The shared reference repository (../shared/models beside this repository, or MLSERVING_SHARED_MODELS): real models
/// with reference.json oracles. Tests that need it use <see cref="SharedModelsFactAttribute"/>: reported as skipped on
/// a machine without it, and failing under CI=true, where it is always present.
/// </summary>
public static class SharedModelRepository
{
    public static readonly string? Root = Locate();

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository's path; fails the test when it is missing (only reachable under CI=true).</summary>
    public static string RequiredRoot => Root ?? throw new Xunit.Sdk.XunitException("CI=true but the shared model repository (../shared/models) was not found");

    public static string SkipReason => $"the shared model repository (../shared/models or MLSERVING_SHARED_MODELS) is not on this machine";

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("MLSERVING_SHARED_MODELS") is { Length: > 0 } configured)
        {
            return Directory.Exists(configured) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlServing.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "models"));
                return Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }
}

/// <summary>A fact over the shared model repository: skipped (visibly) without it, except under CI=true.</summary>
public sealed class SharedModelsFactAttribute : FactAttribute
{
    public SharedModelsFactAttribute()
    {
        if (SharedModelRepository.Root is null && !SharedModelRepository.InCi)
        {
            Skip = SharedModelRepository.SkipReason;
        }
    }
}
