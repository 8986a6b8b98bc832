using FluentValidation;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlServing.Api.Errors;
using MlServing.Api.Grpc;
using MlServing.Api.Health;
using MlServing.Api.Observability;
using MlServing.Api.OpenApi;
using MlServing.Api.OpenInference;
using MlServing.Api.Predict;
using MlServing.Api.Requests;
using MlServing.Api.Security;

namespace MlServing.Api.Hosting;

public static class HostingExtensions
{
    private const int DefaultPort = 8080;

    /// <summary>
    /// Listens on port 8080 unless an ASP.NET setting (ASPNETCORE_URLS, --urls, ASPNETCORE_HTTP_PORTS,
    /// Kestrel:Endpoints) chose otherwise.
    /// </summary>
    public static WebApplicationBuilder UseDefaultPort(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var chosen = !string.IsNullOrEmpty(configuration["urls"])
            || !string.IsNullOrEmpty(configuration["http_ports"])
            || !string.IsNullOrEmpty(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!chosen)
        {
            builder.WebHost.UseUrls($"http://+:{DefaultPort}");
        }

        return builder;
    }

    /// <summary>The HTTP surface: request limits, validation, readiness, error handling, JSON and OpenAPI.</summary>
    public static IServiceCollection AddMlServingApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptionsWithValidateOnStart<RequestLimitsOptions>().Bind(configuration.GetSection(RequestLimitsOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestLimitsOptions>, RequestLimitsOptionsValidator>());
        services.AddOptionsWithValidateOnStart<ServingOptions>().Bind(configuration.GetSection(ServingOptions.SectionName)).ValidateDataAnnotations();
        services.AddOptionsWithValidateOnStart<ReadinessOptions>().Bind(configuration.GetSection(ReadinessOptions.SectionName));
        services.AddOptionsWithValidateOnStart<ShutdownOptions>().Bind(configuration.GetSection(ShutdownOptions.SectionName)).ValidateDataAnnotations();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>(
            (host, shutdown) => host.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.Value.TimeoutSeconds));
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<ShutdownDrainService>();

        // Kestrel's own cap must not undercut ours: the endpoints enforce MaxRequestBodyBytes with a 413 that names the limit.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitsOptions>>(
            (kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes + 1);
        services.Configure<KestrelServerOptions>(RequestIds.ConfigureHeaderEncoding);

        services.TryAddSingleton<IValidator<PredictRequest>, PredictRequestValidator>();
        services.TryAddSingleton<IValidator<InferRequest>, InferRequestValidator>();
        services.TryAddSingleton<HttpErrorMap>();
        services.TryAddSingleton<HttpInference>();
        services.TryAddSingleton<ReadinessProbe>();

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<UnhandledExceptionHandler>();
        services.AddMlServingMetrics();
        services.AddMlServingSecurity(configuration);
        services.AddMlServingOpenApi();
        services.AddMlServingGrpc(configuration);
        return services;
    }

    /// <summary>
    /// Middleware in order (after routing): faults → one observer (request id, metrics, the request log line) → CORS,
    /// API keys, per-key rate limits.
    /// </summary>
    public static WebApplication UseMlServing(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseMlServingObservation();
        app.UseMlServingSecurity();
        return app;
    }

    /// <summary>Every route: probes, both inference APIs, the gRPC services, metrics and Swagger.</summary>
    public static WebApplication MapMlServing(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthApi();
        app.MapPredictApi();
        app.MapOpenInferenceApi();
        app.MapMlServingGrpc();
        app.MapMlServingMetrics().WithMetricsAccess(app.Services);
        app.MapMlServingOpenApi();
        return app;
    }
}
