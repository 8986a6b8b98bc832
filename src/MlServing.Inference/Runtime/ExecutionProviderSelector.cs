using System.Runtime.InteropServices;
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
            reason = "this build of ONNX Runtime has no CUDA execution provider (build with -p:UseGpu=true for Microsoft.ML.OnnxRuntime.Gpu.Linux)";
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
                reason = WithLoaderError(ex.Message);
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

    /// <summary>
    /// When the CUDA provider library cannot be loaded ONNX Runtime's exception says only "Failed to load shared library"
    /// (the dynamic loader's message goes to its own console log), so load it once more here to name what is missing,
    /// typically a CUDA library such as libcublasLt.so.13.
    /// </summary>
    private static string WithLoaderError(string message)
    {
        var library = CudaProviderLibrary();
        if (library is null)
        {
            return message;
        }

        try
        {
            NativeLibrary.Free(NativeLibrary.Load(library));
            return message; // it loads: the failure is not a missing library and ONNX Runtime's message is all there is
        }
        catch (DllNotFoundException ex)
        {
            // .NET's message ends with the loader's own line, e.g. "libcublasLt.so.13: cannot open shared object file: ...".
            var loaderError = ex.Message.TrimEnd();
            loaderError = loaderError[(loaderError.LastIndexOf('\n') + 1)..].Trim();
            return $"{message} ({library}: {loaderError})";
        }
        catch (BadImageFormatException ex)
        {
            return $"{message} ({library}: {ex.Message})";
        }
    }

    /// <summary>The CUDA provider library next to ONNX Runtime's native library, where ONNX Runtime looks for it.</summary>
    private static string? CudaProviderLibrary()
    {
        var name = OperatingSystem.IsWindows() ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";
        var searched = AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? string.Empty;
        return searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(AppContext.BaseDirectory)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }
}
