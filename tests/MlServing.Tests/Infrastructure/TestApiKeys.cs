using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MlServing.Tests.Infrastructure;

/// <summary>Made-up API keys for tests (never real ones) and the settings that configure them by hash.</summary>
public static class TestApiKeys
{
    public static string KeyOf(string name) => "test-key-" + name + "-0123456789abcdef";

    public static string Sha256Of(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Adds key <paramref name="name"/> as <c>MlServing:Auth:Keys:&lt;index&gt;</c>.</summary>
    public static Dictionary<string, string?> WithKey(
        this Dictionary<string, string?> settings, int index, string name, string[] scopes, string[]? models = null, double? requestsPerSecond = null, int? burst = null)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"MlServing:Auth:Keys:{index}:");
        settings[prefix + "Name"] = name;
        settings[prefix + "Sha256"] = Sha256Of(KeyOf(name));
        for (var i = 0; i < scopes.Length; i++)
        {
            settings[prefix + "Scopes:" + i.ToString(CultureInfo.InvariantCulture)] = scopes[i];
        }

        for (var i = 0; i < (models?.Length ?? 0); i++)
        {
            settings[prefix + "Models:" + i.ToString(CultureInfo.InvariantCulture)] = models![i];
        }

        if (requestsPerSecond is { } rate)
        {
            settings[prefix + "RequestsPerSecond"] = rate.ToString(CultureInfo.InvariantCulture);
        }

        if (burst is { } size)
        {
            settings[prefix + "Burst"] = size.ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }

    /// <summary>A keys-file entry for key <paramref name="name"/>.</summary>
    public static string FileEntry(string name, params string[] scopes) =>
        $$"""{"name": "{{name}}", "sha256": "{{Sha256Of(KeyOf(name))}}", "scopes": [{{string.Join(", ", scopes.Select(s => $"\"{s}\""))}}]}""";

    public static HttpRequestMessage Request(HttpMethod method, string path, string? json = null, string? bearer = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-API-Key", apiKey);
        }

        return request;
    }
}
