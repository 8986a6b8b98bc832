using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MlServing.Api.Grpc;

/// <summary>
/// Adds the gRPC port to the server's listening addresses at start, after ASP.NET has resolved the HTTP ones
/// (<c>ASPNETCORE_URLS</c>, <c>--urls</c>, <c>ASPNETCORE_HTTP_PORTS</c>, or the default 8080) — never instead of them.
/// With URL addresses the gRPC address joins them on the same host as the first one (all interfaces for <c>+</c>, a
/// loopback address stays loopback); with <c>Kestrel:Endpoints</c> configuration, which Kestrel binds instead of URLs, it
/// is a Kestrel endpoint of its own. Either way the endpoint speaks HTTP/2 only (h2c: gRPC without TLS).
/// </summary>
internal sealed class GrpcListener : IStartupFilter
{
    private readonly IServer _server;
    private readonly KestrelServerOptions _kestrel;
    private readonly IConfiguration _configuration;
    private readonly ILogger<GrpcListener> _logger;
    private readonly int _port;

    public GrpcListener(IServer server, IOptions<KestrelServerOptions> kestrel, IOptions<GrpcOptions> options, IConfiguration configuration, ILogger<GrpcListener> logger)
    {
        _server = server;
        _kestrel = kestrel.Value;
        _configuration = configuration;
        _logger = logger;
        _port = options.Value.Port;
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        // Only a real server has listening addresses (the in-memory test server has none).
        if (_port > 0 && _server.Features.Get<IServerAddressesFeature>() is { Addresses.IsReadOnly: false } addresses)
        {
            var configEndpoints = _configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
            if (addresses.Addresses.Count > 0 && (addresses.PreferHostingUrls || !configEndpoints))
            {
                var address = string.Create(CultureInfo.InvariantCulture, $"http://{HostOf(addresses.Addresses.First())}:{_port}");
                addresses.Addresses.Add(address);
                GrpcLog.Listening(_logger, address);
            }
            else
            {
                _kestrel.ListenAnyIP(_port, listen => listen.Protocols = HttpProtocols.Http2);
                var address = string.Create(CultureInfo.InvariantCulture, $"http://+:{_port}");
                GrpcLog.Listening(_logger, address);
            }
        }

        return next;
    }

    /// <summary>HTTP/2 only on the gRPC port, whichever way it was added (endpoint defaults also reach URL addresses).</summary>
    public static void ConfigureProtocols(KestrelServerOptions kestrel, int port) =>
        kestrel.ConfigureEndpointDefaults(listen =>
        {
            if (port > 0 && listen.IPEndPoint?.Port == port)
            {
                listen.Protocols = HttpProtocols.Http2;
            }
        });

    private static string HostOf(string url)
    {
        var host = BindingAddress.Parse(url).Host;
        return host is "*" or "+" or "0.0.0.0" or "[::]" or "::" ? "+" : host;
    }
}
