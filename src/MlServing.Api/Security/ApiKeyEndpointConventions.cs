using Microsoft.Extensions.Options;
using MlServing.Api.Errors;

namespace MlServing.Api.Security;

/// <summary>
/// How each route is classified once keys are configured: needs a <c>predict</c> key, an <c>admin</c> key, any key,
/// or is open. Every endpoint carries one of these (a test enumerates them), so a new route cannot be open by accident.
/// </summary>
public static class ApiKeyEndpointConventions
{
    public static TBuilder RequirePredictKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => Documented(builder.RequireAuthorization(ApiKeyDefaults.PredictPolicy));

    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => Documented(builder.RequireAuthorization(ApiKeyDefaults.AdminPolicy));

    public static TBuilder RequireAnyKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => Documented(builder.RequireAuthorization(ApiKeyDefaults.AnyKeyPolicy));

    /// <summary>Probes, the OpenAPI document: answered without a key even when keys are configured.</summary>
    public static TBuilder OpenWithoutKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AllowAnonymous();

    /// <summary><c>/metrics</c>: open, or any key when <c>MlServing:Auth:ProtectMetrics</c> is true.</summary>
    public static TBuilder WithMetricsAccess<TBuilder>(this TBuilder builder, IServiceProvider services)
        where TBuilder : IEndpointConventionBuilder =>
        services.GetRequiredService<IOptions<AuthOptions>>().Value.ProtectMetrics ? builder.RequireAnyKey() : builder.OpenWithoutKey();

    /// <summary>401 and 403 in the route's error format, for OpenAPI (the group's protocol metadata is already on the endpoint).</summary>
    private static TBuilder Documented<TBuilder>(TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(static endpoint =>
        {
            var protocol = ApiProtocol.Predict;
            foreach (var item in endpoint.Metadata)
            {
                if (item is ProtocolMetadata metadata)
                {
                    protocol = metadata.Protocol;
                }
            }

            ErrorResponse.AddMetadata(endpoint, protocol, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        });
        return builder;
    }
}
