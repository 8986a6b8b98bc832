using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace MlServing.Benchmarks;

/// <summary>
/// What API keys cost per request: one <c>POST /predict</c> through the service's whole pipeline
/// (<see cref="PipelineHost"/>) with no key configured and with one key (with and without a rate), compiled like the
/// server. The difference between the rows is authentication, authorization and rate limiting. On a noisy machine
/// prefer the interleaved comparison (<see cref="InterleavedComparison"/>, <c>-- interleaved security</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ServerJitConfig))]
public class SecurityBenchmarks
{
    private PipelineHost _host = null!;
    private byte[] _body = null!;

    /// <summary>"off": no key configured; "key": one predict key without a rate; "rate": the same key with a token bucket.</summary>
    [Params("off", "key", "rate")]
    public string Keys { get; set; } = "off";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = await PipelineHost.StartAsync(SecurityVariants.Settings(Keys));
        _body = Encoding.UTF8.GetBytes(SecurityVariants.Body);
        if (await Predict() != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"POST /predict with keys={Keys} did not answer 200");
        }
    }

    [Benchmark]
    public Task<int> Predict() => _host.PostAsync("/predict", _body, SecurityVariants.Authorization);

    [GlobalCleanup]
    public async Task CleanupAsync() => await _host.DisposeAsync();
}
