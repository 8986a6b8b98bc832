using System.Globalization;
using BenchmarkDotNet.Attributes;
using MlServing.Tests.Infrastructure;

namespace MlServing.Benchmarks;

/// <summary>
/// One whole request through the real endpoint (binding, validation, decode into pooled buffers, the batcher,
/// ONNX Runtime, the Utf8JsonWriter response) without the network. Allocated bytes per request must not grow
/// with the row width: the payload lives in pooled buffers.
/// </summary>
[MemoryDiagnoser]
public class RequestPathBenchmarks : IDisposable
{
    private InProcessHost _host = null!;
    private byte[] _predict = null!;
    private byte[] _infer = null!;
    private MemoryStream _response = null!;

    /// <summary>Values per row: the dynamic-hw fixture accepts any width and answers one mean per row.</summary>
    [Params(16, 256, 4096)]
    public int Width { get; set; }

    /// <summary>"none": every request runs the model; "memory": every request after the first is a cache hit.</summary>
    [Params("none", "memory")]
    public string Cache { get; set; } = "none";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models");
        // The model path: with the cache on, repeating one body would measure cache hits instead.
        _host = await InProcessHost.StartAsync(fixtures, new Dictionary<string, string?> { ["MlServing:Cache:Provider"] = Cache });
        _response = new MemoryStream(new byte[1 << 16], 0, 1 << 16, writable: true, publiclyVisible: true);
        var random = new Random(7);
        var row = string.Join(",", Enumerable.Range(0, Width).Select(_ => (random.NextDouble() * 10).ToString("F4", CultureInfo.InvariantCulture)));
        _predict = InProcessHost.Utf8($$"""{"model":"dynamic-hw","instances":[[[[{{row}}]]]]}""");
        _infer = InProcessHost.Utf8($$"""{"inputs":[{"name":"image","shape":[1,1,1,{{Width}}],"datatype":"FP32","data":[{{row}}]}]}""");
    }

    [Benchmark]
    public Task<int> Predict() => _host.SendAsync("/predict", _predict, _response);

    [Benchmark]
    public Task<int> OpenInferenceInfer() => _host.SendAsync("/v2/models/{name}/infer", _infer, _response, "dynamic-hw");

    [GlobalCleanup]
    public async Task CleanupAsync() => await _host.DisposeAsync();

    public void Dispose() => _response?.Dispose();

}
