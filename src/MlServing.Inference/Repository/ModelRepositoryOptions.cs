namespace MlServing.Inference.Repository;

/// <summary>Configuration section <c>MlServing:ModelRepository</c>.</summary>
public sealed class ModelRepositoryOptions
{
    public const string SectionName = "MlServing:ModelRepository";

    /// <summary>Folder in Triton layout. Relative paths resolve against the working directory, then the app folder.</summary>
    public string Path { get; set; } = "models";

    /// <summary>Load the models found at start (false = only through the repository API).</summary>
    public bool LoadOnStartup { get; set; } = true;
}
