using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace MlServing.Api.Observability;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog as the only sink: human-readable console locally, compact JSON when <c>Logging:Json=true</c> or
    /// inside a container. Levels come from the <c>Serilog</c> configuration section.
    /// </summary>
    public static WebApplicationBuilder AddMlServingLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var json = builder.Configuration.GetValue<bool?>("Logging:Json")
            ?? string.Equals(Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER"), "true", StringComparison.OrdinalIgnoreCase);
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Extensions.Hosting", LogEventLevel.Information)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                // The authentication handler base class logs each 401/403 under our type's name; the request line says it already.
                .MinimumLevel.Override("MlServing.Api.Security.ApiKeyAuthenticationHandler", LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            if (json)
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }
        });
        return builder;
    }
}
