using Microsoft.OpenApi;

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
            options.OperationFilter<ExampleOperationFilter>();
            options.CustomSchemaIds(type => type.Name);
        });
        return services;
    }

    public static WebApplication MapMlServingOpenApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/swagger/v1/swagger.json", "MlServing v1");
            options.DocumentTitle = "MlServing";
        });
        return app;
    }
}
