using System.Globalization;
using MlServing.Inference.Errors;
using MlServing.Inference.Rollout;

namespace MlServing.Inference.Repository;

/// <summary>
/// One model folder: its versions (newest first) or, when the folder itself is unusable (bad config.json,
/// no versions), the reason. Immutable; the repository swaps whole entries.
/// </summary>
public sealed class ModelEntry
{
    public ModelEntry(string name, ModelState state, string? reason, ModelVersionStatus[] versions, bool unloaded = false, ModelConfig? config = null, string configFingerprint = "")
    {
        Name = name;
        State = state;
        Reason = reason;
        Versions = versions;
        Unloaded = unloaded;
        Config = config ?? ModelConfig.Empty;
        ConfigFingerprint = configFingerprint;
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

    public ModelConfig Config { get; }

    /// <summary>Identifies the config.json this entry was built from; a different one means every version reloads.</summary>
    public string ConfigFingerprint { get; }

    /// <summary>The model folder as it was when this entry was built (see <see cref="VersionFolders.FolderFingerprint"/>).</summary>
    public string FolderFingerprint { get; init; } = string.Empty;

    /// <summary>The traffic policy in force: set at run time, else config.json's; null = the newest ready version answers.</summary>
    public TrafficPolicy? Traffic { get; init; }

    /// <summary>True when <see cref="Traffic"/> was set at run time rather than read from config.json.</summary>
    public bool TrafficOverridden { get; init; }

    /// <summary>A copy of this entry with another traffic policy in force.</summary>
    public ModelEntry WithTraffic(TrafficPolicy? traffic, bool overridden) =>
        new(Name, State, Reason, Versions, Unloaded, Config, ConfigFingerprint) { FolderFingerprint = FolderFingerprint, Traffic = traffic, TrafficOverridden = overridden };

    /// <summary>The loaded version with this number, or null.</summary>
    public ModelVersion? Loaded(long version)
    {
        foreach (var status in Versions)
        {
            if (status.Version == version)
            {
                return status.Loaded;
            }
        }

        return null;
    }

    /// <summary>The version for a request that names none: by the traffic policy when there is one, else the newest ready.</summary>
    public VersionLookup Route(string? routingKey) =>
        Traffic is { HasSplit: true } traffic && traffic.Choose(this, routingKey) is { } chosen ? VersionLookup.Found(chosen) : Find(null);

    /// <summary>The newest ready version, the default for requests that name no version.</summary>
    public ModelVersion? Latest { get; }

    /// <summary>Whether every version the policy selected loaded.</summary>
    public bool FullyLoaded => State == ModelState.Ready && Array.TrueForAll(Versions, v => v.State == ModelState.Ready);

    /// <summary>The version a request names (null: the newest ready one).</summary>
    public VersionLookup Find(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            if (Latest is { } latest)
            {
                return VersionLookup.Found(latest);
            }

            var why = State == ModelState.Loading ? "is still loading" : "has no ready version" + (Reason is null ? string.Empty : ": " + Reason);
            return VersionLookup.Failed(InferenceError.Unavailable($"model '{Name}' {why}"));
        }

        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            if (Config.Aliases is not { } aliases || !aliases.TryGetValue(version, out number))
            {
                return VersionLookup.Failed(InferenceError.NotFound($"model '{Name}' has no version or alias '{version}'"));
            }
        }

        foreach (var status in Versions)
        {
            if (status.Version == number)
            {
                return status.Loaded is { } loaded
                    ? VersionLookup.Found(loaded)
                    : VersionLookup.Failed(InferenceError.Unavailable($"model '{Name}' version {number} is {status.State.ToString().ToLowerInvariant()}{(status.Reason is null ? string.Empty : ": " + status.Reason)}"));
            }
        }

        return VersionLookup.Failed(InferenceError.NotFound($"model '{Name}' has no version {number}"));
    }

    /// <summary>"version 2: reason; version 1: reason" for the versions that did not load.</summary>
    public static string Describe(ModelVersionStatus[] versions)
    {
        var parts = new List<string>(versions.Length);
        foreach (var version in versions)
        {
            if (version.Reason is not null)
            {
                parts.Add($"version {version.Version}: {version.Reason}");
            }
        }

        return string.Join("; ", parts);
    }

    /// <summary>Why the model does not serve everything it should; null when it does.</summary>
    public string? Problem => FullyLoaded ? null : Reason ?? Describe(Versions);

    public static ModelEntry Failed(string name, string reason) => new(name, ModelState.Unavailable, reason, []);

    public static ModelEntry Loading(string name) => new(name, ModelState.Loading, null, []);
}
