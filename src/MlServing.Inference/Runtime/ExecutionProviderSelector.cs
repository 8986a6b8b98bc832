using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace MlServing.Inference.Runtime;

/// <summary>Appends the requested execution provider to session options, falling back to CPU when CUDA is absent.</summary>
internal static class ExecutionProviderSelector
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";
    private const string CudaProviderName = "CUDAExecutionProvider";

    public static bool IsKnown(string? provider) =>
        string.Equals(provider, Cpu, StringComparison.OrdinalIgnoreCase) || string.Equals(provider, Cuda, StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the provider actually used ("cpu" or "cuda").</summary>
    /// <exception cref="ModelLoadException">CUDA was required but is not available.</exception>
    public static string Apply(SessionOptions options, string provider, int deviceId, bool requireGpu, ILogger logger, string model, long version)
    {
        if (!string.Equals(provider, Cuda, StringComparison.OrdinalIgnoreCase))
        {
            return Cpu;
        }

        string reason;
        if (Array.IndexOf(OrtEnv.Instance().GetAvailableProviders(), CudaProviderName) < 0)
        {
            reason = "this build of ONNX Runtime has no CUDA execution provider (build with -p:UseGpu=true for Microsoft.ML.OnnxRuntime.Gpu)";
        }
        else
        {
            try
            {
                options.AppendExecutionProvider_CUDA(deviceId);
                return Cuda;
            }
            catch (OnnxRuntimeException ex)
            {
                reason = ex.Message;
            }
            catch (DllNotFoundException ex)
            {
                reason = ex.Message;
            }
        }

        if (requireGpu)
        {
            throw new ModelLoadException($"CUDA execution provider (device {deviceId}) is not available and requireGpu is set: {reason}");
        }

        RuntimeLog.CudaFallback(logger, model, version, deviceId, reason);
        return Cpu;
    }
}
