using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace MlServing.Api.OpenApi;

/// <summary>Adds the <c>application/json</c> request body of endpoints marked with <see cref="RequestBodyDocumentation"/>.</summary>
internal sealed class RequestBodyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var documentation = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<RequestBodyDocumentation>().FirstOrDefault();
        if (documentation is null)
        {
            return;
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = context.SchemaGenerator.GenerateSchema(documentation.Type, context.SchemaRepository) },
            },
        };
    }
}
