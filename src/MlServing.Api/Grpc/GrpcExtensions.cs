using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlServing.Api.Requests;

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
    /// Maps the inference and health services (answered on the gRPC port only). <paramref name="authorizationPolicy"/>
    /// guards the inference service (the health service stays open for probes, as <c>/health/*</c> does).
    /// </summary>
    public static IEndpointRouteBuilder MapMlServingGrpc(this IEndpointRouteBuilder app, string? authorizationPolicy)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetRequiredService<IOptions<GrpcOptions>>().Value.Port == 0)
        {
            return app;
        }

        var inference = app.MapGrpcService<InferenceGrpcService>();
        if (authorizationPolicy is not null)
        {
            inference.RequireAuthorization(authorizationPolicy);
        }

        app.MapGrpcService<GrpcHealthService>();
        return app;
    }
}
