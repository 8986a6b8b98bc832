using System.Net;
using System.Text;
using System.Text.Json;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Hosting;

/// <summary>The real process with <c>Logging__Json=true</c>: one compact JSON line per request, never the payload.</summary>
[Collection(ServerCollection.Name)]
public sealed class JsonLoggingTests
{
    [Fact]
    public async Task JsonLogging_WritesAStructuredRequestLine_WithoutThePayload()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string?>
        {
            ["MlServing__ModelRepository__Path"] = TestRepository.SamplesPath,
            ["Logging__Json"] = "true",
        });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await service.WaitForAsync(client, "/health/ready");

        const string marker = "13.123456";
        var body = $$"""{"instances":[[{{marker}},3.24,2.38,21.5,92.0,1.93,0.76,0.45,1.25,8.42,0.55,1.62,650.0]]}""";
        using (var response = await client.PostAsync(new Uri(service.BaseAddress, "/predict"), new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        JsonElement? requestLine = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (requestLine is null && DateTime.UtcNow < deadline)
        {
            foreach (var line in service.Output.Where(l => l.StartsWith('{')))
            {
                var json = JsonDocument.Parse(line).RootElement;
                if (json.TryGetProperty("RequestPath", out var path) && path.GetString() == "/predict")
                {
                    requestLine = json;
                }
            }

            if (requestLine is null)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(requestLine.HasValue, "no JSON request line:\n" + string.Join('\n', service.Output));
        var entry = requestLine.Value;
        Assert.Equal("wine-classifier", entry.GetProperty("Model").GetString());
        Assert.Equal("1", entry.GetProperty("ModelVersion").GetString());
        Assert.Equal(200, entry.GetProperty("StatusCode").GetInt32());
        Assert.True(entry.GetProperty("Elapsed").GetDouble() > 0);
        Assert.Equal("POST", entry.GetProperty("RequestMethod").GetString());
        Assert.All(service.Output.Where(l => l.StartsWith('{')), l => JsonDocument.Parse(l).Dispose());
        Assert.DoesNotContain(service.Output, l => l.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AspNetCoreUrls_FromTheEnvironment_IsHonoured()
    {
        await using var service = ServiceProcess.Start(
            new Dictionary<string, string?>
            {
                ["MlServing__ModelRepository__Path"] = TestRepository.SamplesPath,
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:{port}",
            },
            "--MlServing:Runtime:IntraOpThreads=1");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await service.WaitForAsync(client, "/health/live");

        Assert.Contains(service.Output, l => l.Contains($"127.0.0.1:{service.Port}", StringComparison.Ordinal));
    }
}
