namespace MlServing.Benchmarks;

/// <summary>Where the benchmark models live: <c>MLSERVING_BENCH_MODELS</c>, else <c>../shared/models</c> beside the repository.</summary>
internal static class BenchmarkModels
{
    public static string Repository { get; } = Locate();

    public static string ModelFile(string model) =>
        Directory.GetFiles(Path.Combine(Repository, model), "model.onnx", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).Last();

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("MLSERVING_BENCH_MODELS") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlServing.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "models"));
            }
        }

        throw new DirectoryNotFoundException("set MLSERVING_BENCH_MODELS to a model repository (e.g. ../shared/models)");
    }
}
