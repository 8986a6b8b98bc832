using System.Text.Json;
using System.Text.Json.Serialization;
using MlServing.Api.Errors;
using MlServing.Api.Feedback;
using MlServing.Api.Health;
using MlServing.Api.OpenInference;

namespace MlServing.Api;

/// <summary>Source-generated serialisation for every DTO that still goes through the serializer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OipError))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ServerMetadata))]
[JsonSerializable(typeof(ModelMetadataResponse))]
[JsonSerializable(typeof(RepositoryIndexEntry[]))]
[JsonSerializable(typeof(RepositoryIndexRequest))]
[JsonSerializable(typeof(LiveResponse))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(ModelReadyResponse))]
[JsonSerializable(typeof(FeedbackResponse))]
[JsonSerializable(typeof(MlServing.Inference.Repository.TrafficConfig))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
