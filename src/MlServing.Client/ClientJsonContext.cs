using System.Text.Json;
using System.Text.Json.Serialization;
using MlServing.Client.OpenInference;
using MlServing.Client.Predict;

namespace MlServing.Client;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(InferRequest))]
[JsonSerializable(typeof(InferResponse))]
[JsonSerializable(typeof(InferTensor))]
[JsonSerializable(typeof(ModelMetadata))]
[JsonSerializable(typeof(PredictRequest))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(long[]))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
