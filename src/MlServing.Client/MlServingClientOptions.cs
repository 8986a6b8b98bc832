using System.Globalization;

namespace MlServing.Client;

/// <summary>Where the server is and how to call it (configuration section <c>MlServing:Client</c> when bound).</summary>
public sealed class MlServingClientOptions
{
    public const string SectionName = "MlServing:Client";

    /// <summary>The gRPC port a server listens on unless configured otherwise (<c>MlServing:Grpc:Port</c>).</summary>
    public const int DefaultGrpcPort = 8081;

    /// <summary>The server's base address, e.g. <c>http://localhost:8080</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The gRPC address (h2c for <c>http://</c>) used by <see cref="MlServingTransport.Grpc"/>; null = the host of
    /// <see cref="BaseAddress"/> on the server's default gRPC port, 8081.
    /// </summary>
    public Uri? GrpcAddress { get; set; }

    /// <summary>How inference requests travel: REST JSON (default), REST binary tensors, or gRPC.</summary>
    public MlServingTransport Transport { get; set; } = MlServingTransport.Json;

    /// <summary>Sent as <c>Authorization: Bearer &lt;key&gt;</c> (an <c>authorization</c> metadata entry over gRPC) when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Retries of a request answered 429 or 503, or that failed to connect (0 = none); over gRPC, of a call ended with
    /// RESOURCE_EXHAUSTED or UNAVAILABLE, waiting as the server's <c>grpc-retry-pushback-ms</c> says.
    /// </summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>First back-off when the answer has no <c>Retry-After</c>; doubles with each retry (with jitter).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a request may wait in the server's queue, sent as <c>X-Request-Timeout-Ms</c> (metadata
    /// <c>x-request-timeout-ms</c> over gRPC); null = the server's default.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>Overall time for one HTTP attempt (HttpClient.Timeout); over gRPC, the call's deadline, retries included.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(100);
    /// <summary><see cref="RequestTimeout"/> as the value of <c>X-Request-Timeout-Ms</c> (whole milliseconds, rounded up); null when unset.</summary>
    internal string? RequestTimeoutMilliseconds =>
        RequestTimeout is { } timeout ? ((long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) : null;

    /// <summary><see cref="GrpcAddress"/>, or <see cref="BaseAddress"/>'s host on <see cref="DefaultGrpcPort"/>.</summary>
    public Uri ResolveGrpcAddress() =>
        GrpcAddress ?? new UriBuilder(BaseAddress ?? throw new InvalidOperationException("BaseAddress is not set")) { Port = DefaultGrpcPort, Path = "/" }.Uri;
}
