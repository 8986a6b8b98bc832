using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Api.Hosting;
using MlServing.Inference.Repository;
using MlServing.Tests.Infrastructure;

namespace MlServing.Benchmarks;

/// <summary>
/// The service's whole middleware pipeline (the program's own <c>UseMlServing</c> and <c>MapMlServing</c>) on the
/// in-memory test server: what a request costs in the process, without the network's cost and noise.
/// </summary>
public sealed class PipelineHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestServer _server;

    private PipelineHost(WebApplication app)
    {
        _app = app;
        _server = app.GetTestServer();
    }

    public static async Task<PipelineHost> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = InProcessHost.CreateBuilder(settings);
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.UseMlServing();
        app.MapMlServing();
        await app.Services.GetRequiredService<ModelRepository>().LoadAllAsync(CancellationToken.None);
        await app.StartAsync();
        return new PipelineHost(app);
    }

    /// <summary>One JSON POST; returns the status code.</summary>
    public async Task<int> PostAsync(string path, byte[] body, string? authorization = null)
    {
        var context = await _server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Post;
            context.Request.Path = path;
            context.Request.ContentType = "application/json";
            if (authorization is not null)
            {
                context.Request.Headers.Authorization = authorization;
            }

            context.Request.Body = new MemoryStream(body, writable: false);
        });
        return context.Response.StatusCode;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
