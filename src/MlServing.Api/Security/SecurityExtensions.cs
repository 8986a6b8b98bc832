using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MlServing.Api.Security;

public static class SecurityExtensions
{
    /// <summary>
    /// API keys (<c>MlServing:Auth</c>): the key store, the authentication scheme, the <c>predict</c>/<c>admin</c>/any-key
    /// policies, per-key rate limits, and CORS (<c>MlServing:Cors:Origins</c>). Everything stays open while no key is configured.
    /// </summary>
    public static IServiceCollection AddMlServingSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptionsWithValidateOnStart<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.AddOptionsWithValidateOnStart<CorsOriginsOptions>().Bind(configuration.GetSection(CorsOriginsOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CorsOriginsOptions>, CorsOriginsOptionsValidator>());
        services.TryAddSingleton<ApiKeyStore>();

        // The core services only: AddAuthentication would add Data Protection, which API keys do not use and which
        // writes a key ring at start.
        services.AddAuthenticationCore(options => options.DefaultScheme = ApiKeyDefaults.Scheme);
        services.AddWebEncoders();
        new AuthenticationBuilder(services).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyDefaults.PredictPolicy, policy => policy.AddRequirements(new ApiKeyRequirement(ApiKeyScopes.Predict)))
            .AddPolicy(ApiKeyDefaults.AdminPolicy, policy => policy.AddRequirements(new ApiKeyRequirement(ApiKeyScopes.Admin)))
            .AddPolicy(ApiKeyDefaults.AnyKeyPolicy, policy => policy.AddRequirements(new ApiKeyRequirement(ApiKeyScopes.None)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ApiKeyRequirementHandler>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, ApiKeyAuthorizationResultHandler>());
        services.AddRateLimiter(ApiKeyRateLimiting.Configure);

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CorsOriginsOptions>>(static (cors, allowed) =>
        {
            var origins = allowed.Value.Origins;
            cors.AddDefaultPolicy(policy =>
            {
                _ = origins.Contains("*") ? policy.AllowAnyOrigin() : policy.WithOrigins([.. origins]);
                policy.AllowAnyMethod().AllowAnyHeader().WithExposedHeaders("Retry-After", "WWW-Authenticate").SetPreflightMaxAge(TimeSpan.FromMinutes(10));
            });
        });
        return services;
    }

    /// <summary>
    /// After routing and before the endpoints: CORS (only when origins are configured, so a preflight is answered
    /// before it needs a key), authentication, authorization, then the per-key rate limits.
    /// </summary>
    public static IApplicationBuilder UseMlServingSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.ApplicationServices.GetRequiredService<ApiKeyStore>();
        if (app.ApplicationServices.GetRequiredService<IOptions<CorsOriginsOptions>>().Value.Origins.Count > 0)
        {
            app.UseCors();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
