namespace MlServing.Api.Security;

/// <summary>
/// Configuration section <c>MlServing:Auth</c> (docs/SECURITY.md). Authentication is off while no key is configured
/// here or in <see cref="KeysFile"/>.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "MlServing:Auth";

    /// <summary>Keys by their SHA-256, read at start.</summary>
    public IList<ApiKeyConfig> Keys { get; } = [];

    /// <summary>A JSON file <c>{"keys": [...]}</c> with more keys, re-read when it changes (a mounted Secret).</summary>
    public string? KeysFile { get; set; }

    /// <summary>Token-bucket rate of a key that sets none; 0 = unlimited.</summary>
    public double DefaultRequestsPerSecond { get; set; }

    /// <summary>Bucket size of a key that sets none; 0 = one second's worth of its rate.</summary>
    public int DefaultBurst { get; set; }

    /// <summary>Whether <c>/metrics</c> needs a key too (any configured key).</summary>
    public bool ProtectMetrics { get; set; }
}
