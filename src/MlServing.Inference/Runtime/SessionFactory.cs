using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace MlServing.Inference.Runtime;

/// <summary>Opens ONNX Runtime sessions with the server's session settings and the requested execution provider.</summary>
public sealed class SessionFactory
{
    private readonly RuntimeOptions _options;
    private readonly ILogger<SessionFactory> _logger;

    public SessionFactory(IOptions<RuntimeOptions> options, ILogger<SessionFactory> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public RuntimeOptions Options => _options;

    /// <summary>
    /// Opens <paramref name="modelPath"/>; null provider settings take the server defaults. A CUDA request falls back
    /// to CPU with a warning unless GPU is required.
    /// </summary>
    /// <exception cref="ModelLoadException">The model cannot be opened, or CUDA is required and absent.</exception>
    public ModelSession Open(string modelPath, string? provider, int? deviceId, bool? requireGpu, string model, long version)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = _options.GraphOptimizationLevel,
            ExecutionMode = _options.ExecutionMode,
        };
        if (_options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = _options.IntraOpThreads;
        }

        if (_options.InterOpThreads > 0)
        {
            sessionOptions.InterOpNumThreads = _options.InterOpThreads;
        }

        var used = ExecutionProviderSelector.Apply(
            sessionOptions, provider ?? _options.ExecutionProvider, deviceId ?? _options.DeviceId, requireGpu ?? _options.RequireGpu, _logger, model, version);
        try
        {
            return ModelSession.Load(modelPath, sessionOptions, used);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException("ONNX Runtime cannot load model.onnx: " + ex.Message, ex);
        }
    }
}
