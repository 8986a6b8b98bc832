using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using MlServing.Grpc.Inference;
using Polly;

namespace MlServing.Client;

public static class MlServingClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MlServingClient"/> as a typed HttpClient: base address and API key (<c>Authorization:
    /// Bearer</c>) from <see cref="MlServingClientOptions"/> (validated on start), and a retry handler that repeats a
    /// request answered 429 or 503, or that could not connect, waiting as the answer's <c>Retry-After</c> says or with
    /// exponential back-off. For <see cref="MlServingTransport.Grpc"/>, a gRPC client (Grpc.Net.ClientFactory) whose
    /// channel retries RESOURCE_EXHAUSTED and UNAVAILABLE the same way, honouring <c>grpc-retry-pushback-ms</c>.
    /// Returns the HTTP client builder for further handlers.
    /// </summary>
    public static IHttpClientBuilder AddMlServingClient(this IServiceCollection services, Action<MlServingClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptionsWithValidateOnStart<MlServingClientOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MlServingClientOptions>, MlServingClientOptionsValidator>());
        var builder = services.AddHttpClient<MlServingClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<MlServingClientOptions>>().Value;
            http.BaseAddress = WithTrailingSlash(options.BaseAddress!);
            http.Timeout = options.HttpTimeout;
            if (options.ApiKey is { } key)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        });
        services.AddGrpcClient<GRPCInferenceService.GRPCInferenceServiceClient>(MlServingClient.GrpcClientName, static (provider, grpc) =>
                grpc.Address = provider.GetRequiredService<IOptions<MlServingClientOptions>>().Value.ResolveGrpcAddress())
            .ConfigureChannel(static (provider, channel) => ConfigureChannel(channel, provider.GetRequiredService<IOptions<MlServingClientOptions>>().Value));
        builder.AddResilienceHandler("mlserving-retry", static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<MlServingClientOptions>>().Value;
            if (options.MaxRetries == 0)
            {
                return;
            }

            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(static response => response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable),
            });
        });
        return builder;
    }

    private static void ConfigureChannel(GrpcChannelOptions channel, MlServingClientOptions options)
    {
        channel.MaxReceiveMessageSize = null;
        if (options.MaxRetries == 0)
        {
            return;
        }

        // gRPC's own retry policy (gRFC A6): a pushback from the server replaces the back-off for the next attempt.
        channel.MaxRetryAttempts = options.MaxRetries + 1;
        channel.ServiceConfig = new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = options.MaxRetries + 1,
                        InitialBackoff = options.RetryDelay,
                        MaxBackoff = TimeSpan.FromSeconds(30),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.ResourceExhausted, StatusCode.Unavailable },
                    },
                },
            },
        };
    }

    private static Uri WithTrailingSlash(Uri address) =>
        address.AbsolutePath.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
}
