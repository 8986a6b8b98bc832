using MlServing.Inference.Tensors;

namespace MlServing.Inference.Monitoring.Capture;

/// <summary>One sampled request waiting to be written. It holds references to the request's tensors (no copy) until disposed.</summary>
internal sealed class CaptureRecord : IDisposable
{
    public CaptureRecord(CaptureLayout layout, DateTimeOffset time, string? requestId, int rows, double durationMs, PooledTensor[] inputs, PooledTensor[] outputs, int[] outputIndices)
    {
        Layout = layout;
        Time = time;
        RequestId = requestId;
        Rows = rows;
        DurationMs = durationMs;
        Inputs = inputs;
        Outputs = outputs;
        OutputIndices = outputIndices;
    }

    public CaptureLayout Layout { get; }

    public DateTimeOffset Time { get; }

    public string? RequestId { get; }

    public int Rows { get; }

    public double DurationMs { get; }

    /// <summary>Inputs in signature order.</summary>
    public PooledTensor[] Inputs { get; }

    /// <summary>The outputs answered, in the order of <see cref="OutputIndices"/> (indices into the signature).</summary>
    public PooledTensor[] Outputs { get; }

    public int[] OutputIndices { get; }

    /// <summary>References the tensors of an answered request (they stay valid after the request releases its own).</summary>
    public static PooledTensor[] Share(PooledTensor[] tensors)
    {
        var shared = new PooledTensor[tensors.Length];
        for (var i = 0; i < tensors.Length; i++)
        {
            shared[i] = tensors[i].Share();
        }

        return shared;
    }

    public void Dispose()
    {
        foreach (var tensor in Inputs)
        {
            tensor.Dispose();
        }

        foreach (var tensor in Outputs)
        {
            tensor.Dispose();
        }
    }
}
