using System.Globalization;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Grpc;

/// <summary>
/// The gRPC port as the built service opens it: beside whatever HTTP addresses ASP.NET settings chose (never instead of
/// them), and not at all with port 0.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcHostingTests
{
    private static Dictionary<string, string?> Environment(int grpcPort) => new()
    {
        ["MlServing__ModelRepository__Path"] = TestRepository.SamplesPath,
        ["MlServing__Runtime__IntraOpThreads"] = "1",
        ["MlServing__Grpc__Port"] = grpcPort.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task AssertBothPortsServeAsync(ServiceProcess service, int grpcPort)
    {
        using var http = new HttpClient();
        await service.WaitForAsync(http, "/health/ready");
        using var grpc = new OipGrpcClient(grpcPort);
        Assert.True((await grpc.ServerReadyAsync()).Ready);
        Assert.True((await grpc.ModelReadyAsync("wine-classifier")).Ready);
        Assert.Contains(service.Output, line => line.Contains($"Now listening on: http://127.0.0.1:{service.Port}", StringComparison.Ordinal));
        Assert.Contains(service.Output, line => line.Contains($"Now listening on: http://127.0.0.1:{grpcPort}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UrlsArgument_StillChoosesTheHttpAddress_AndGrpcListensBeside()
    {
        var grpcPort = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(Environment(grpcPort), "--urls", "http://127.0.0.1:{port}");
        await AssertBothPortsServeAsync(service, grpcPort);
    }

    [Fact]
    public async Task AspNetCoreUrls_StillChoosesTheHttpAddress_AndGrpcListensBeside()
    {
        var grpcPort = ServiceProcess.FreePort();
        var environment = Environment(grpcPort);
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:{port}";
        await using var service = ServiceProcess.Start(environment, "--MlServing:Readiness:Strict=true");
        await AssertBothPortsServeAsync(service, grpcPort);
    }

    [Fact]
    public async Task GrpcPortZero_OpensNoGrpcPort()
    {
        await using var service = ServiceProcess.Start(Environment(0));
        using var http = new HttpClient();
        await service.WaitForAsync(http, "/health/ready");
        Assert.Single(service.Output, line => line.Contains("Now listening on:", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Output, line => line.Contains("gRPC", StringComparison.Ordinal));
    }
}
