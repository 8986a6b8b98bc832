using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using MlServing.Api.Requests;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>Writes the OIP infer response (flat <c>data</c>) straight to the response body.</summary>
internal sealed class InferResponseResult : JsonResponseResult, IEndpointMetadataProvider
{
    private readonly ModelVersion _model;
    private readonly InferenceResult _result;
    private readonly string? _id;

    public InferResponseResult(ModelVersion model, InferenceResult result, string? id)
    {
        _model = model;
        _result = result;
        _id = id;
    }

    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, _model.Name);
        writer.WriteString("model_version"u8, _model.VersionText);
        if (_id is not null)
        {
            writer.WriteString("id"u8, _id);
        }

        writer.WriteStartArray("outputs"u8);
        foreach (var output in _result.Outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, output.Name);
            writer.WriteString("datatype"u8, output.DataType.ToProtocolName());
            writer.WriteStartArray("shape"u8);
            foreach (var dim in output.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("data"u8);
            JsonTensorWriter.WriteFlat(writer, output, 0, output.ElementCount);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(InferResponseDocument), ["application/json"]));
}
