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
        services.AddAuthenticationCore(options =>
        {
            options.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, displayName: null);
            options.DefaultScheme = ApiKeyDefaults.Scheme;
        });
        services.TryAddTransient<ApiKeyAuthenticationHandler>();
        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, ApiKeySchemeProvider>());
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyDefaults.PredictPolicy, policy => policy.AddRequirements(new ApiKeyRequirement(ApiKeyScopes.Predict)))
            .AddPolicy(ApiKeyDefaults.AdminPolicy, policy => policy.AddRequirements(new ApiKeyRequirement(ApiKeyScopes.Admin)))
            .AddPolicy(ApiKeyDefaults.AnyKeyPolicy, policy => policy.AddRequirements(new ApiKeyRequirement(ApiKeyScopes.None)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ApiKeyRequirementHandler>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, ApiKeyAuthorizationResultHandler>());
        services.AddRateLimiter(ApiKeyRateLimiting.Configure);

        // The authorization middleware is skipped while no key is configured (UseMlServingSecurity): routing must not
        // refuse endpoints whose authorization metadata it then did not see.
        services.Configure<RouteOptions>(static routing => routing.SuppressCheckForUnhandledSecurityMetadata = true);

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
        if (app.ApplicationServices.GetRequiredService<IOptions<CorsOriginsOptions>>().Value.Origins.Count > 0)
        {
            app.UseCors();
        }

        // While no key is configured every request is allowed anyway: skip the three middlewares (and their per-request
        // handler, context and policy objects) until a key appears, e.g. in a rotated keys file.
        var store = app.ApplicationServices.GetRequiredService<ApiKeyStore>();
        var keys = app.New();
        keys.UseMiddleware<ApiKeyAuthenticationMiddleware>();
        keys.UseMiddleware<ApiKeyAuthorizationMiddleware>();
        keys.UseMiddleware<ApiKeyRateLimitingMiddleware>();

        // The markers the framework's calls leave tell the host they are in the pipeline; without them on the main
        // pipeline it would add authentication and authorization again, in front of everything (the error handler and
        // observer too). They come from the framework's own calls, made on a builder that is then dropped: the steps in
        // the pipeline are the service's middlewares, which fall back to the framework's.
        foreach (var (key, value) in keys.Properties.Concat(app.New().UseAuthentication().UseAuthorization().Properties))
        {
            app.Properties.TryAdd(key, value);
        }

        return app.Use(next =>
        {
            keys.Run(next);
            var withKeys = keys.Build();
            return context => store.Enabled ? withKeys(context) : next(context);
        });
    }
}
