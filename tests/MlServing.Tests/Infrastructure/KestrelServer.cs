using Microsoft.Extensions.DependencyInjection;
using MlServing.Inference.Repository;

namespace MlServing.Tests.Infrastructure;

/// <summary>
/// The real host on real Kestrel in this process, as <see cref="MlServingFactory"/> but listening on free loopback ports:
/// HTTP on <see cref="HttpPort"/> and gRPC (h2c) on <see cref="GrpcPort"/>, so that tests can reach the engine inside
/// (a frozen batcher, the repository) while calling over the network.
/// </summary>
public sealed class KestrelServer : IAsyncDisposable
{
    private readonly MlServingFactory _factory;

    private KestrelServer(MlServingFactory factory, int httpPort, int grpcPort)
    {
        _factory = factory;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
    }

    public int HttpPort { get; }

    public int GrpcPort { get; }

    public MlServingFactory Factory => _factory;

    public ModelRepository Repository => _factory.Repository;

    public HttpClient Http { get; private set; } = null!;

    public OipGrpcClient Grpc { get; private set; } = null!;

    public static async Task<KestrelServer> StartAsync(string repositoryPath, IDictionary<string, string?>? settings = null)
    {
        var grpcPort = ServiceProcess.FreePort();
        var httpPort = ServiceProcess.FreePort();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["MlServing:Grpc:Port"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var factory = new MlServingFactory(repositoryPath, all);
        factory.UseKestrel(httpPort);
        var server = new KestrelServer(factory, httpPort, grpcPort);
        factory.StartServer();
        await AcceptsConnectionsAsync(httpPort, grpcPort);
        server.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        server.Grpc = new OipGrpcClient(grpcPort);
        await factory.Services.GetRequiredService<ModelRepository>().InitialLoad.WaitAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>
    /// Fails the start, naming the ports, when either listener does not accept a connection once Kestrel has started
    /// (one full-suite run saw the gRPC port refuse a client; this tells a bind problem from a later one).
    /// </summary>
    private static async Task AcceptsConnectionsAsync(int httpPort, int grpcPort)
    {
        foreach (var (name, port) in new[] { ("HTTP", httpPort), ("gRPC", grpcPort) })
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or TimeoutException)
            {
                throw new InvalidOperationException($"the test server started but its {name} port {port} does not accept connections (HTTP {httpPort}, gRPC {grpcPort})", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Grpc?.Dispose();
        Http?.Dispose();
        await _factory.DisposeAsync();
    }
}
