using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlServing.Api.Errors;
using MlServing.Api.Security;

namespace MlServing.Tests.Infrastructure;

/// <summary>A bare host on the in-memory test server with only the service's security (keys from settings) in front of the routes a test maps.</summary>
public static class SecurityHost
{
    /// <summary>The builder, with the service's security registered; a test adds its own services before <see cref="Build"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<HttpErrorMap>();
        builder.Services.AddMlServingSecurity(builder.Configuration);
        return builder;
    }

    /// <summary>The app with routing and the security steps in place; the test maps its routes and starts it.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseRouting();
        app.UseMlServingSecurity();
        return app;
    }
}
