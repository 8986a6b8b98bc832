using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlServing.Inference.Repository;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    PropertyNameCaseInsensitive = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ModelConfig))]
[JsonSerializable(typeof(TrafficConfig))]
internal sealed partial class ModelConfigJsonContext : JsonSerializerContext;
