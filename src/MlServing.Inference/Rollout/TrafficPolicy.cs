using System.Globalization;
using System.IO.Hashing;
using System.Text;
using MlServing.Inference.Errors;
using MlServing.Inference.Repository;

namespace MlServing.Inference.Rollout;

/// <summary>
/// A model's traffic policy in force, resolved against its versions: weights by version number, an optional sticky
/// header and an optional shadow version. Requests that name no version are routed by it; only ready versions get
/// traffic (a canary still loading passes its weight to the others).
/// </summary>
public sealed class TrafficPolicy
{
    private readonly long[] _versions;
    private readonly double[] _weights;

    private TrafficPolicy(TrafficConfig source, long[] versions, double[] weights, string? stickyHeader, long? shadowVersion, double shadowPercent)
    {
        Source = source;
        _versions = versions;
        _weights = weights;
        StickyHeader = stickyHeader;
        ShadowVersion = shadowVersion;
        ShadowPercent = shadowPercent;
    }

    /// <summary>The policy as configured (config.json's <c>traffic</c>, or the one set at run time).</summary>
    public TrafficConfig Source { get; }

    public string? StickyHeader { get; }

    public long? ShadowVersion { get; }

    public double ShadowPercent { get; }

    public bool HasSplit => _versions.Length > 0;

    /// <summary>The configured weight of a version (0 when the split does not name it).</summary>
    public double WeightOf(long version)
    {
        var index = Array.IndexOf(_versions, version);
        return index < 0 ? 0 : _weights[index];
    }

    /// <summary>
    /// Checks <paramref name="config"/> against the model's aliases and versions: the policy, or an error naming the
    /// field (<c>split.3</c>, <c>shadow.version</c>, <c>split</c>).
    /// </summary>
    /// <param name="config">The policy as written.</param>
    /// <param name="aliases">The model's aliases.</param>
    /// <param name="versions">The model's versions (loaded or not).</param>
    /// <param name="strict">
    /// True for a policy set at run time: every version must be one the model has. config.json may name a version
    /// number that is not published yet (it gets traffic once it is loaded and ready).
    /// </param>
    public static (TrafficPolicy? Policy, InferenceError? Error) Resolve(TrafficConfig config, IReadOnlyDictionary<string, long>? aliases, IReadOnlyCollection<long> versions, bool strict)
    {
        var split = config.Split ?? [];
        var numbers = new long[split.Count];
        var weights = new double[split.Count];
        var total = 0.0;
        var i = 0;
        foreach (var (key, weight) in split)
        {
            if (!TryVersion(key, aliases, versions, strict, out numbers[i]))
            {
                return (null, InferenceError.Invalid("split." + key, $"'{key}' is not a version or alias of the model (versions: {string.Join(", ", versions)})"));
            }

            if (!double.IsFinite(weight) || weight < 0)
            {
                return (null, InferenceError.Invalid("split." + key, "a weight must be a finite number >= 0"));
            }

            weights[i++] = weight;
            total += weight;
        }

        if (split.Count > 0 && total <= 0)
        {
            return (null, InferenceError.Invalid("split", "the weights must sum to more than 0"));
        }

        long? shadow = null;
        if (config.Shadow is { } shadowConfig)
        {
            if (shadowConfig.Version is not { Length: > 0 } name || !TryVersion(name, aliases, versions, strict, out var number))
            {
                return (null, InferenceError.Invalid("shadow.version", $"'{shadowConfig.Version}' is not a version or alias of the model (versions: {string.Join(", ", versions)})"));
            }

            if (!double.IsFinite(shadowConfig.Percent) || shadowConfig.Percent is < 0 or > 100)
            {
                return (null, InferenceError.Invalid("shadow.percent", "'percent' must be between 0 and 100"));
            }

            shadow = number;
        }

        if (config.StickyHeader is { } header && (header.Length == 0 || header.AsSpan().IndexOfAny(" :\r\n\t") >= 0))
        {
            return (null, InferenceError.Invalid("stickyHeader", "'stickyHeader' must be a header name"));
        }

        return (new TrafficPolicy(config, numbers, weights, config.StickyHeader, shadow, config.Shadow?.Percent ?? 0), null);
    }

    /// <summary>
    /// The version for one request: by the weights of the ready versions, the same one for the same routing key while
    /// the weights and ready versions stand; null when no version of the split is ready.
    /// </summary>
    public ModelVersion? Choose(ModelEntry entry, string? routingKey)
    {
        var ready = 0.0;
        for (var i = 0; i < _versions.Length; i++)
        {
            if (entry.Loaded(_versions[i]) is not null)
            {
                ready += _weights[i];
            }
        }

        if (ready <= 0)
        {
            return null;
        }

        var point = (routingKey is null ? Random.Shared.NextDouble() : Uniform(routingKey)) * ready;
        ModelVersion? last = null;
        for (var i = 0; i < _versions.Length; i++)
        {
            if (_weights[i] <= 0 || entry.Loaded(_versions[i]) is not { } version)
            {
                continue;
            }

            last = version;
            point -= _weights[i];
            if (point < 0)
            {
                return version;
            }
        }

        return last;
    }

    /// <summary>Whether this request is copied to the shadow version.</summary>
    public bool TakeShadow() => ShadowVersion is not null && ShadowPercent > 0 && Random.Shared.NextDouble() * 100 < ShadowPercent;

    private static double Uniform(string key)
    {
        Span<byte> utf8 = stackalloc byte[256];
        var hash = Encoding.UTF8.TryGetBytes(key, utf8, out var written)
            ? XxHash64.HashToUInt64(utf8[..written])
            : XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key));
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private static bool TryVersion(string key, IReadOnlyDictionary<string, long>? aliases, IReadOnlyCollection<long> versions, bool strict, out long version)
    {
        if (!long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out version) && (aliases is null || !aliases.TryGetValue(key, out version)))
        {
            return false;
        }

        if (!strict)
        {
            return version > 0;
        }

        foreach (var known in versions)
        {
            if (known == version)
            {
                return true;
            }
        }

        return false;
    }
}
