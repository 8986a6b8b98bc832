using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlServing.Client;
using MlServing.Client.OpenInference;

namespace MlServing.Tests.Cli;

/// <summary>The typed client against a real Kestrel on 127.0.0.1 that answers as a busy server does.</summary>
public sealed class MlServingClientTests
{
    private const string Answer = """{"model_name":"m","model_version":"1","outputs":[{"name":"label","datatype":"INT64","shape":[2],"data":[1,0]},{"name":"p","datatype":"FP32","shape":[2,2],"data":[0.25,0.75,1,0],"parameters":{"classes":["a","b"]}}]}""";

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Infer_BusyAnswerWithRetryAfter_IsRetriedAfterTheDelayTheServerAsked(int status)
    {
        var seen = new ConcurrentQueue<(TimeSpan At, string? Authorization, string? Deadline, string Body)>();
        var clock = Stopwatch.StartNew();
        await using var server = await StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            seen.Enqueue((clock.Elapsed, context.Request.Headers.Authorization, context.Request.Headers["X-Request-Timeout-Ms"], await reader.ReadToEndAsync()));
            if (seen.Count == 1)
            {
                context.Response.StatusCode = status;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsync("""{"error":"busy"}""");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Answer);
        });
        await using var services = Client(server.Address, o =>
        {
            o.ApiKey = "k-123";
            o.RequestTimeout = TimeSpan.FromMilliseconds(1500);
        });

        var response = await services.GetRequiredService<MlServingClient>()
            .InferAsync("m", new InferRequest { Inputs = [InferTensor.Create("input", [2, 2], new[] { 1f, 2f, float.NaN, 4f })] })
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([1L, 0L], response.Output("label").Values<long>());
        Assert.Equal(["a", "b"], response.Output("p").Classes!);
        var requests = seen.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.9), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms, not after Retry-After: 1");
        Assert.All(requests, r => Assert.Equal("Bearer k-123", r.Authorization));
        Assert.All(requests, r => Assert.Equal("1500", r.Deadline));
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.Contains("\"data\":[1,2,\"NaN\",4]", requests[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_ClientError_ThrowsWithTheServersReasonAndIsNotRetried()
    {
        var count = 0;
        await using var server = await StartAsync(async context =>
        {
            Interlocked.Increment(ref count);
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("""{"error":"inputs[0].datatype: input 'input' is FP32, got FP64"}""");
        });
        await using var services = Client(server.Address, _ => { });

        var error = await Assert.ThrowsAsync<MlServingClientException>(() => services.GetRequiredService<MlServingClient>()
            .InferAsync("m", new InferRequest { Inputs = [InferTensor.Create("input", [1, 1], new[] { 1d })] }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("input 'input' is FP32, got FP64", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, count);
    }

    [Fact]
    public void AddMlServingClient_WithoutAnAbsoluteAddress_FailsValidationNamingTheKey()
    {
        using var services = Client(new Uri("/relative", UriKind.Relative), _ => { });
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains("MlServing:Client:BaseAddress", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Client(Uri address, Action<MlServingClientOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddMlServingClient(o =>
        {
            o.BaseAddress = address;
            o.RetryDelay = TimeSpan.FromMilliseconds(50);
            configure(o);
        });
        return services.BuildServiceProvider();
    }

    private static async Task<Kestrel> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Kestrel(app, new Uri(address));
    }

    private sealed record Kestrel(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
