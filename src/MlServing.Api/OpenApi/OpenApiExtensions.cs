using Microsoft.OpenApi;
using MlServing.Api.Security;

namespace MlServing.Api.OpenApi;

public static class OpenApiExtensions
{
    public static IServiceCollection AddMlServingOpenApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "MlServing",
                Version = "v1",
                Description = "Versioned ONNX models over two APIs: POST /predict (friendly JSON rows) and the Open Inference Protocol v2 (/v2/...).",
            });
            options.AddSecurityDefinition(ApiKeyOperationFilter.BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key as 'Authorization: Bearer <key>' (docs/SECURITY.md). Needed only when the server has keys configured.",
            });
            options.AddSecurityDefinition(ApiKeyOperationFilter.HeaderScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyDefaults.HeaderName,
                Description = "The same API key in the X-API-Key header instead.",
            });
            options.OperationFilter<ApiKeyOperationFilter>();
            options.OperationFilter<RequestBodyOperationFilter>();
            options.OperationFilter<ExampleOperationFilter>();
            options.CustomSchemaIds(type => type.Name);
        });
        return services;
    }

    public static WebApplication MapMlServingOpenApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Endpoint + a branch: the inference hot path never runs the Swagger middlewares.
        app.MapSwagger().OpenWithoutKey();
        app.UseWhen(
            static context => context.Request.Path.StartsWithSegments("/swagger"),
            static branch => branch.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint("/swagger/v1/swagger.json", "MlServing v1");
                options.DocumentTitle = "MlServing";
            }));
        return app;
    }
}
