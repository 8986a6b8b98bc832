namespace MlServing.Benchmarks;

/// <summary>
/// Monitoring off and on for the sample wine-classifier (its shipped profile.json, so every request is counted into
/// the drift window, its class counted and its prediction kept for feedback), cache off.
/// </summary>
public static class MonitoringVariants
{
    public const string Body = """{"model":"wine-classifier","instances":[[13.2,2.77,2.51,18.5,96.0,1.59,0.71,0.44,1.25,7.1,0.77,1.82,690.0]]}""";

    public static readonly string[] Names = ["off", "on"];

    public static Dictionary<string, string?> Settings(string variant) => new()
    {
        ["MlServing:ModelRepository:Path"] = SampleModels(),
        ["MlServing:Cache:Provider"] = "none",
        ["MlServing:Monitoring:Enabled"] = variant == "on" ? "true" : "false",
    };

    /// <summary>The repository's <c>models/</c> folder, found upwards from the benchmark's binaries.</summary>
    private static string SampleModels()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var models = Path.Combine(directory.FullName, "models");
            if (File.Exists(Path.Combine(models, "wine-classifier", "profile.json")))
            {
                return models;
            }
        }

        throw new DirectoryNotFoundException("models/wine-classifier not found above " + AppContext.BaseDirectory);
    }
}
