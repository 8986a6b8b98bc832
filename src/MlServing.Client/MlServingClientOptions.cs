namespace MlServing.Client;

/// <summary>Where the server is and how to call it (configuration section <c>MlServing:Client</c> when bound).</summary>
public sealed class MlServingClientOptions
{
    public const string SectionName = "MlServing:Client";

    /// <summary>The server's base address, e.g. <c>http://localhost:8080</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer &lt;key&gt;</c> when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Retries of a request answered 429 or 503, or that failed to connect (0 = none).</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>First back-off when the answer has no <c>Retry-After</c>; doubles with each retry (with jitter).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a request may wait in the server's queue, sent as <c>X-Request-Timeout-Ms</c> (null = the server's default).</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>Overall time for one HTTP attempt (HttpClient.Timeout).</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
