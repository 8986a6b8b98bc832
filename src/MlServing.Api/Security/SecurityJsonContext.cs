using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlServing.Api.Security;

/// <summary>
/// Reads the keys file: member names in any case, comments and trailing commas allowed (the shipped file explains
/// itself), and unknown members refused so that a misspelt <c>scope</c> is an error rather than a key without scopes.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ApiKeysDocument))]
internal sealed partial class SecurityJsonContext : JsonSerializerContext;
