namespace MlServing.Inference.Repository;

/// <summary>
/// One model folder: its versions (newest first) or, when the folder itself is unusable (bad config.json,
/// no versions), the reason. Immutable; the repository swaps whole entries.
/// </summary>
public sealed class ModelEntry
{
    public ModelEntry(string name, ModelState state, string? reason, ModelVersionStatus[] versions, bool unloaded = false)
    {
        Name = name;
        State = state;
        Reason = reason;
        Versions = versions;
        Unloaded = unloaded;
        foreach (var version in versions)
        {
            if (version.Loaded is not null)
            {
                Latest = version.Loaded;
                break;
            }
        }
    }

    public string Name { get; }

    public ModelState State { get; }

    public string? Reason { get; }

    public ModelVersionStatus[] Versions { get; }

    /// <summary>Explicitly unloaded through the repository API: not served, and not expected by readiness.</summary>
    public bool Unloaded { get; }

    /// <summary>The newest ready version, the default for requests that name no version.</summary>
    public ModelVersion? Latest { get; }

    /// <summary>Whether every version the policy selected loaded.</summary>
    public bool FullyLoaded => State == ModelState.Ready && Array.TrueForAll(Versions, v => v.State == ModelState.Ready);

    public static ModelEntry Failed(string name, string reason) => new(name, ModelState.Unavailable, reason, []);

    public static ModelEntry Loading(string name) => new(name, ModelState.Loading, null, []);
}
