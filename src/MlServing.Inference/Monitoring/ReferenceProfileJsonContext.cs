using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlServing.Inference.Monitoring;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ReferenceProfile))]
internal sealed partial class ReferenceProfileJsonContext : JsonSerializerContext;
