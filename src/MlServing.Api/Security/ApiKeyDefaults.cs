namespace MlServing.Api.Security;

/// <summary>The names the API-key feature uses: scheme, header, scopes and policies.</summary>
public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";

    /// <summary>The header that carries a key when <c>Authorization: Bearer</c> is not used.</summary>
    public const string HeaderName = "X-API-Key";

    public const string PredictScope = "predict";

    public const string AdminScope = "admin";

    /// <summary>Policy: a key with the <c>predict</c> scope (and, on a route with a model name, that model allowed).</summary>
    public const string PredictPolicy = "predict";

    /// <summary>Policy: a key with the <c>admin</c> scope (and, on a route with a model name, that model allowed).</summary>
    public const string AdminPolicy = "admin";

    /// <summary>Policy: any configured key.</summary>
    public const string AnyKeyPolicy = "api-key";

    /// <summary>Longest key accepted; longer values are refused without hashing them.</summary>
    public const int MaxKeyLength = 1024;
}
