using System.Net;
using System.Text.Json;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>The real process with a key configured: the request line names the key's holder, and no line ever holds the key.</summary>
[Collection(ServerCollection.Name)]
public sealed class ApiKeyLoggingTests
{
    [Fact]
    public async Task RequestLine_CarriesTheKeysName_NeverTheKey()
    {
        var environment = new Dictionary<string, string?>
        {
            ["MlServing__ModelRepository__Path"] = TestRepository.SamplesPath,
            ["Logging__Json"] = "true",
            ["MlServing__Auth__Keys__0__Name"] = "reporting-job",
            ["MlServing__Auth__Keys__0__Sha256"] = Sha256Of(KeyOf("reporting-job")),
            ["MlServing__Auth__Keys__0__Scopes__0"] = "predict",
        };
        await using var service = ServiceProcess.Start(environment);
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await service.WaitForAsync(client, "/health/ready");

        const string body = """{"instances":[[13.2,3.24,2.38,21.5,92.0,1.93,0.76,0.45,1.25,8.42,0.55,1.62,650.0]]}""";
        using (var served = Request(HttpMethod.Post, "/predict", body, bearer: KeyOf("reporting-job")))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(served)).StatusCode);
        }

        using (var refused = Request(HttpMethod.Post, "/predict", body, apiKey: KeyOf("someone-else")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(refused)).StatusCode);
        }

        var lines = new List<JsonElement>();
        await Eventually.TrueAsync(
            () =>
            {
                lines = [.. service.Output.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
                    .Where(j => j.TryGetProperty("RequestPath", out var path) && path.GetString() == "/predict")];
                return lines.Count >= 2;
            },
            "two /predict request lines");

        Assert.Equal("reporting-job", lines.Single(l => l.GetProperty("StatusCode").GetInt32() == 200).GetProperty("ApiKey").GetString());
        Assert.Equal("-", lines.Single(l => l.GetProperty("StatusCode").GetInt32() == 401).GetProperty("ApiKey").GetString());
        Assert.DoesNotContain(service.Output, l => l.Contains(KeyOf("reporting-job"), StringComparison.Ordinal) || l.Contains(KeyOf("someone-else"), StringComparison.Ordinal));
    }
}
