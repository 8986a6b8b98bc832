using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace MlServing.Api.OpenApi;

/// <summary>
/// Marks every operation that needs a key (when keys are configured) with the two ways to send one, so the Swagger UI's
/// Authorize button applies the key to exactly those calls.
/// </summary>
internal sealed class ApiKeyOperationFilter : IOperationFilter
{
    public const string BearerScheme = "Bearer";

    public const string HeaderScheme = "X-API-Key";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        // Two requirement objects: either scheme satisfies the operation.
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, context.Document)] = [] });
    }
}
