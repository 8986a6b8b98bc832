using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace MlServing.Api.OpenApi;

/// <summary>
/// Fills the request examples of <c>/predict</c> and the OIP infer call from a model that is really loaded, so
/// "Try it out" works as shown: its configured warm-up row (a real sample) or zeros of the right width.
/// </summary>
internal sealed class ExampleOperationFilter : IOperationFilter
{
    private readonly ModelRepository _repository;

    public ExampleOperationFilter(ModelRepository repository) => _repository = repository;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var name = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is not ("Predict" or "ModelInfer") || operation.RequestBody?.Content is null
            || !operation.RequestBody.Content.TryGetValue("application/json", out var media)
            || PickModel() is not { } model)
        {
            return;
        }

        var (input, shape, row) = SampleRow(model);
        if (name == "Predict")
        {
            JsonNode instance = model.Features is { } features ? Named(features.Names, row) : new JsonArray([.. row.Select(v => (JsonNode?)v)]);
            media.Example = new JsonObject { ["model"] = model.Name, ["instances"] = new JsonArray(instance) };
        }
        else
        {
            media.Example = new JsonObject
            {
                ["id"] = "example-1",
                ["inputs"] = new JsonArray(new JsonObject
                {
                    ["name"] = input.Name,
                    ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode?)d)]),
                    ["datatype"] = input.DataType.ToProtocolName(),
                    ["data"] = new JsonArray([.. row.Select(v => (JsonNode?)v)]),
                }),
            };
            operation.Description = $"Example for model '{model.Name}': POST /v2/models/{model.Name}/infer";
        }
    }

    private ModelVersion? PickModel()
    {
        ModelVersion? fallback = null;
        foreach (var entry in _repository.Models)
        {
            var model = entry.Latest;
            if (model is null || model.Signature.Inputs.Length != 1 || !model.Signature.Inputs[0].DataType.IsNumericOrBool())
            {
                continue;
            }

            if (model.Features is not null)
            {
                return model;
            }

            fallback ??= model;
        }

        return fallback;
    }

    private static (TensorSpec Input, long[] Shape, double[] Row) SampleRow(ModelVersion model)
    {
        var input = model.Signature.Inputs[0];
        var shape = input.Shape.Select(d => d < 0 ? 1L : d).ToArray();
        shape[0] = 1;
        var count = (int)PooledTensor.CountElements(shape);
        var row = new double[count];
        if (model.Config.Warmup?.Inputs is [{ Data.ValueKind: System.Text.Json.JsonValueKind.Array } warmup, ..])
        {
            var values = Flatten(JsonNode.Parse(warmup.Data.GetRawText())).Take(count).ToArray();
            if (values.Length == count)
            {
                row = values;
            }
        }

        return (input, shape, row);
    }

    private static IEnumerable<double> Flatten(JsonNode? node) => node switch
    {
        JsonArray array => array.SelectMany(Flatten),
        JsonValue value when value.TryGetValue<double>(out var number) => [number],
        _ => [],
    };

    private static JsonObject Named(string[] names, double[] row)
    {
        var result = new JsonObject();
        for (var i = 0; i < names.Length && i < row.Length; i++)
        {
            result[names[i]] = row[i];
        }

        return result;
    }
}
