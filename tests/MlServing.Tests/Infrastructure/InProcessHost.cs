using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlServing.Api.Hosting;
using MlServing.Inference;
using MlServing.Inference.Repository;

namespace MlServing.Tests.Infrastructure;

/// <summary>
/// The real service's DI container and endpoints, invoked without a network: a request is a
/// <see cref="DefaultHttpContext"/> handed to the endpoint's own delegate (filters, binding, validation included).
/// </summary>
public sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, RequestDelegate> _endpoints;

    private InProcessHost(WebApplication app)
    {
        _app = app;
        _endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RequestDelegate is not null && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .ToDictionary(e => e.RoutePattern.RawText!, e => e.RequestDelegate!);
    }

    public static async Task<InProcessHost> StartAsync(string repository, IDictionary<string, string?>? settings = null)
    {
        var app = CreateBuilder(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["MlServing:ModelRepository:Path"] = repository,
        }).Build();
        app.MapMlServing();
        await app.Services.GetRequiredService<ModelRepository>().LoadAllAsync(CancellationToken.None);
        return new InProcessHost(app);
    }

    /// <summary>The service's builder as tests and benchmarks host it: no log providers, one ONNX Runtime thread, <paramref name="settings"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["MlServing:Runtime:IntraOpThreads"] = "1" });
        builder.Services.AddMlServingInference(builder.Configuration);
        builder.Services.AddMlServingApi(builder.Configuration);
        return builder;
    }

    /// <summary>Sends one request through the endpoint and returns its status code.</summary>
    public async Task<int> SendAsync(string routePattern, byte[] body, Stream responseBody, string? modelName = null)
    {
        var context = new DefaultHttpContext { RequestServices = _app.Services };
        var response = new CompletingResponseFeature();
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(response);
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body, writable: false);
        if (modelName is not null)
        {
            context.Request.RouteValues["name"] = modelName;
        }

        responseBody.Position = 0;
        context.Response.Body = responseBody;
        await _endpoints[routePattern](context);
        await context.Response.CompleteAsync();
        await response.CompleteAsync();
        return context.Response.StatusCode;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>Runs OnCompleted callbacks (pooled buffers go back there) as a server would after the response.</summary>
    private sealed class CompletingResponseFeature : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _completed = [];

        public override void OnStarting(Func<object, Task> callback, object state)
        {
        }

        public override void OnCompleted(Func<object, Task> callback, object state) => _completed.Add((callback, state));

        public async Task CompleteAsync()
        {
            for (var i = _completed.Count - 1; i >= 0; i--)
            {
                await _completed[i].Callback(_completed[i].State);
            }
        }
    }
}
