namespace MlServing.Api.Security;

/// <summary>One configured API key: <c>MlServing:Auth:Keys:&lt;i&gt;</c> or an entry of the keys file.</summary>
public sealed class ApiKeyConfig
{
    /// <summary>Who holds the key; logged with each request instead of the key.</summary>
    public string? Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string? Sha256 { get; set; }

    /// <summary><c>predict</c> and/or <c>admin</c>.</summary>
    public IList<string>? Scopes { get; set; }

    /// <summary>The models the key may use; null = all.</summary>
    public IList<string>? Models { get; set; }

    /// <summary>Token-bucket rate; null = <c>DefaultRequestsPerSecond</c>, 0 = unlimited.</summary>
    public double? RequestsPerSecond { get; set; }

    /// <summary>Token-bucket size; null or 0 = <c>DefaultBurst</c>.</summary>
    public int? Burst { get; set; }
}
