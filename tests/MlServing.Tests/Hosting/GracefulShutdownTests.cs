using System.Net;
using System.Text;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Hosting;

/// <summary>SIGTERM on the real process under load: readiness flips first, every in-flight request finishes, then it exits.</summary>
[Collection(ServerCollection.Name)]
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_UnderLoad_ReadinessFlipsFirst_NoInFlightRequestFails_ProcessExitsCleanly()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string?>
        {
            ["MlServing__ModelRepository__Path"] = TestRepository.SamplesPath,
            ["MlServing__Shutdown__DrainDelaySeconds"] = "2",
            ["MlServing__Batching__MaxQueueSize"] = "1000000",
            ["MlServing__Runtime__IntraOpThreads"] = "1",
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["Serilog__MinimumLevel__Override__MlServing.Api.Hosting"] = "Information",
        });
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };
        await service.WaitForAsync(client, "/health/ready");

        // Big requests so work is still queued and running when the signal arrives.
        var row = "[13.32,3.24,2.38,21.5,92.0,1.93,0.76,0.45,1.25,8.42,0.55,1.62,650.0]";
        var body = "{\"model\":\"wine-classifier\",\"instances\":[" + string.Join(",", Enumerable.Repeat(row, 2000)) + "]}";
        var firstAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<HttpStatusCode> SendAsync()
        {
            using var response = await client.PostAsync(new Uri(service.BaseAddress, "/predict"), new StringContent(body, Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
            firstAnswered.TrySetResult();
            return response.StatusCode;
        }

        var inFlight = Enumerable.Range(0, 48).Select(_ => SendAsync()).ToArray();
        await firstAnswered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        service.Terminate();

        // The signal is delivered asynchronously; within the 2 s drain window readiness must answer 503.
        await service.WaitForAsync(client, "/health/ready", HttpStatusCode.ServiceUnavailable, timeoutSeconds: 2);

        var statuses = await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        await service.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, service.Process.ExitCode);
        Assert.Contains(service.Output, line => line.Contains("Shutting down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigterm_WithRedisUnreachable_StillExitsPromptly()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string?>
        {
            ["MlServing__ModelRepository__Path"] = TestRepository.SamplesPath,
            ["ConnectionStrings__Redis"] = $"127.0.0.1:{ServiceProcess.FreePort()}",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await service.WaitForAsync(client, "/health/ready");
        using (var response = await client.PostAsync(new Uri(service.BaseAddress, "/predict"), new StringContent(
            """{"instances":[[13.32,3.24,2.38,21.5,92.0,1.93,0.76,0.45,1.25,8.42,0.55,1.62,650.0]]}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        service.Terminate();

        await service.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, service.Process.ExitCode);
    }
}
