namespace MlServing.Inference.Repository;

/// <summary>Configuration section <c>MlServing:ModelRepository</c>.</summary>
public sealed class ModelRepositoryOptions
{
    public const string SectionName = "MlServing:ModelRepository";

    /// <summary>Folder in Triton layout. Relative paths resolve against the working directory, then the app folder.</summary>
    public string Path { get; set; } = "models";

    /// <summary>Load the models found at start (false = only through the repository API).</summary>
    public bool LoadOnStartup { get; set; } = true;

    /// <summary>
    /// Seconds between scans of the repository for new, changed and removed models and versions (0 = off). A version
    /// is applied only once its files have been unchanged for a whole interval.
    /// </summary>
    public int PollSeconds { get; set; }

    /// <summary>
    /// A PEM public key (ECDSA P-256 or RSA), or the path of a PEM file. When set, every version needs a valid
    /// <c>model.onnx.sig</c>: the DER signature of the file's SHA-256 (<c>openssl dgst -sha256 -sign</c>).
    /// </summary>
    public string? SigningPublicKey { get; set; }

    /// <summary>Refuse versions without a <c>model.onnx.sha256</c>.</summary>
    public bool RequireChecksum { get; set; }
}
