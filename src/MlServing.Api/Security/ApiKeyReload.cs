namespace MlServing.Api.Security;

/// <summary>What a re-read of the keys file did: applied (with the key count now in force) or refused with the reason.</summary>
public sealed record ApiKeyReload(bool Applied, int Keys, string? Error);
