using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlServing.Api.Errors;
using MlServing.Api.Observability;
using MlServing.Api.Requests;
using MlServing.Api.Security;

namespace MlServing.Api.Grpc;

public static class GrpcExtensions
{
    /// <summary>
    /// The Open Inference Protocol's gRPC service and the gRPC health service on their own h2c port
    /// (<c>MlServing:Grpc:Port</c>, default 8081, 0 = off). Messages may be as large as a REST body
    /// (<c>MlServing:Limits:MaxRequestBodyBytes</c>).
    /// </summary>
    public static IServiceCollection AddMlServingGrpc(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<GrpcOptions>().Bind(configuration.GetSection(GrpcOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcOptions>, GrpcOptionsValidator>());
        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<RequestLimitsOptions>>((grpc, limits) =>
        {
            grpc.MaxReceiveMessageSize = (int)Math.Min(limits.Value.MaxRequestBodyBytes, int.MaxValue);
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GrpcOptions>>((kestrel, grpc) => GrpcListener.ConfigureProtocols(kestrel, grpc.Value.Port));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, GrpcListener>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, GrpcPortPolicy>());
        return services;
    }

    /// <summary>
    /// Maps the inference and health services (answered on the gRPC port only). With API keys configured the inference
    /// service's RPCs need what their REST twins need: ServerLive and ServerReady are open like <c>/v2/health/*</c>,
    /// ServerMetadata any key, the model RPCs a <c>predict</c> key; the health service stays open for probes.
    /// </summary>
    public static IEndpointRouteBuilder MapMlServingGrpc(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetRequiredService<IOptions<GrpcOptions>>().Value.Port == 0)
        {
            return app;
        }

        // Refusals come back as gRPC statuses; ModelInfer calls are counted (refused ones too) with protocol="grpc".
        app.MapGrpcService<InferenceGrpcService>().WithMetadata(new ProtocolMetadata(ApiProtocol.Grpc)).Add(static endpoint =>
        {
            if (endpoint is not RouteEndpointBuilder { RoutePattern.RawText: { } pattern })
            {
                return;
            }

            switch (pattern[(pattern.LastIndexOf('/') + 1)..])
            {
                case "ServerLive" or "ServerReady":
                    endpoint.Metadata.Add(new AllowAnonymousAttribute());
                    break;
                case "ServerMetadata":
                    endpoint.Metadata.Add(new AuthorizeAttribute(ApiKeyDefaults.AnyKeyPolicy));
                    break;
                case "ModelInfer":
                    endpoint.Metadata.Add(new AuthorizeAttribute(ApiKeyDefaults.PredictPolicy));
                    endpoint.Metadata.Add(new InferenceRouteMetadata(RequestProtocol.Grpc));
                    break;
                default:
                    endpoint.Metadata.Add(new AuthorizeAttribute(ApiKeyDefaults.PredictPolicy));
                    break;
            }
        });
        app.MapGrpcService<GrpcHealthService>().OpenWithoutKey();
        return app;
    }
}
