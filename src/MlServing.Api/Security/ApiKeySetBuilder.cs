using System.Globalization;

namespace MlServing.Api.Security;

/// <summary>
/// Checks and resolves the configured keys (options and keys file) into an <see cref="ApiKeySet"/>. Every problem is
/// reported with the setting that holds it (<c>MlServing:Auth:Keys:0:Sha256</c>, <c>keys.json: keys[2].scopes</c>).
/// </summary>
internal static class ApiKeySetBuilder
{
    public static ApiKeySet Build(AuthOptions options, IList<ApiKeyConfig>? fileKeys, string? file, List<string> errors)
    {
        var keys = new List<ApiKey>();
        Add(options.Keys, options, (i, field) => string.Create(CultureInfo.InvariantCulture, $"{AuthOptions.SectionName}:Keys:{i}:{field}"), keys, errors);
        if (fileKeys is not null)
        {
            Add(fileKeys, options, (i, field) => string.Create(CultureInfo.InvariantCulture, $"{file}: keys[{i}].{char.ToLowerInvariant(field[0])}{field[1..]}"), keys, errors);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!names.Add(key.Name))
            {
                errors.Add($"API key name '{key.Name}' is used more than once");
            }

            if (!hashes.Add(Convert.ToHexString(key.Sha256)))
            {
                errors.Add($"API key '{key.Name}' has the same Sha256 as another key");
            }
        }

        return errors.Count == 0 ? new ApiKeySet([.. keys]) : ApiKeySet.Empty;
    }

    private static void Add(IList<ApiKeyConfig> configs, AuthOptions options, Func<int, string, string> where, List<ApiKey> keys, List<string> errors)
    {
        for (var i = 0; i < configs.Count; i++)
        {
            if (configs[i] is not { } config)
            {
                errors.Add(where(i, "Name") + ": the entry is empty");
                continue;
            }

            var before = errors.Count;
            if (string.IsNullOrWhiteSpace(config.Name))
            {
                errors.Add(where(i, "Name") + " is required (who holds the key; it is logged instead of the key)");
            }

            var hash = ParseSha256(config.Sha256);
            if (hash is null)
            {
                errors.Add(where(i, "Sha256") + " must be the 64 hex digits of the key's SHA-256 (printf %s \"$KEY\" | sha256sum)");
            }

            var scopes = ApiKeyScopes.None;
            foreach (var scope in config.Scopes ?? [])
            {
                scopes |= scope switch
                {
                    ApiKeyDefaults.PredictScope => ApiKeyScopes.Predict,
                    ApiKeyDefaults.AdminScope => ApiKeyScopes.Admin,
                    _ => Unknown(errors, where(i, "Scopes"), scope),
                };
            }

            if (scopes == ApiKeyScopes.None && errors.Count == before)
            {
                errors.Add(where(i, "Scopes") + " must list at least one of predict, admin");
            }

            if (config.Models is { } models && (models.Count == 0 || models.Any(string.IsNullOrWhiteSpace)))
            {
                errors.Add(where(i, "Models") + " must list model names; leave it out to allow every model");
            }

            if (config.RequestsPerSecond is { } perSecond && !(perSecond >= 0 && double.IsFinite(perSecond)))
            {
                errors.Add(where(i, "RequestsPerSecond") + " must be 0 (unlimited) or more");
            }

            if (config.Burst is < 0)
            {
                errors.Add(where(i, "Burst") + " must be 0 (the default) or more");
            }

            if (errors.Count == before)
            {
                var rate = ApiKeyRate.Of(config.RequestsPerSecond, config.Burst, options.DefaultRequestsPerSecond, options.DefaultBurst);
                keys.Add(new ApiKey(config.Name!, hash!, scopes, config.Models, rate));
            }
        }
    }

    private static ApiKeyScopes Unknown(List<string> errors, string where, string? scope)
    {
        errors.Add($"{where}: unknown scope '{scope}' (expected predict, admin)");
        return ApiKeyScopes.None;
    }

    private static byte[]? ParseSha256(string? hex)
    {
        if (hex is not { Length: 64 })
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
