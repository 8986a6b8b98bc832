using System.Security.Cryptography;
using System.Text;

namespace MlServing.Benchmarks;

/// <summary>The API-key configurations compared: none, one key without a rate, one key with a rate nothing reaches.</summary>
public static class SecurityVariants
{
    public const string Body = """{"model":"dynamic-hw","instances":[[[[0.1,0.2,0.3,0.4]]]]}""";

    private const string Key = "benchmark-key-not-a-secret";

    /// <summary>Sent by every variant alike, so only the server's work differs.</summary>
    public const string Authorization = "Bearer " + Key;

    public static readonly string[] Names = ["off", "key", "rate"];

    public static Dictionary<string, string?> Settings(string variant)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MlServing:ModelRepository:Path"] = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models"),
            ["MlServing:Cache:Provider"] = "none",
        };
        if (variant != "off")
        {
            settings["MlServing:Auth:Keys:0:Name"] = "bench";
            settings["MlServing:Auth:Keys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
            settings["MlServing:Auth:Keys:0:Scopes:0"] = "predict";
            if (variant == "rate")
            {
                settings["MlServing:Auth:Keys:0:RequestsPerSecond"] = "100000000";
            }
        }

        return settings;
    }
}
