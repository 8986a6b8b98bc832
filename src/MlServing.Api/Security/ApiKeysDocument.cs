namespace MlServing.Api.Security;

/// <summary>The keys file: <c>{"keys": [ {name, sha256, scopes, models, requestsPerSecond, burst}, ... ]}</c>.</summary>
public sealed class ApiKeysDocument
{
    public IList<ApiKeyConfig>? Keys { get; set; }
}
