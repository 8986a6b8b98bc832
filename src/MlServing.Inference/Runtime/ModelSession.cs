using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Runtime;

/// <summary>
/// One ONNX Runtime session and its cached metadata. <see cref="Run"/> is thread-safe (ONNX Runtime allows
/// concurrent <c>Run</c> calls) and talks to ONNX Runtime through <see cref="OrtValue"/>s over pinned pooled memory.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    private ModelSession(InferenceSession session, ModelSignature signature, string provider)
    {
        _session = session;
        Signature = signature;
        ExecutionProvider = provider;
        AllOutputs = Enumerable.Range(0, signature.Outputs.Length).ToArray();
    }

    public ModelSignature Signature { get; }

    /// <summary>The provider the session really runs on, after any fallback.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Indices of every output, the default output selection.</summary>
    public int[] AllOutputs { get; }

    public static ModelSession Load(string path, SessionOptions options, string provider)
    {
        var session = new InferenceSession(path, options);
        try
        {
            var inputs = new TensorSpec[session.InputNames.Count];
            for (var i = 0; i < inputs.Length; i++)
            {
                var name = session.InputNames[i];
                inputs[i] = ToSpec(name, session.InputMetadata[name], isInput: true);
            }

            var outputs = new TensorSpec[session.OutputNames.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                var name = session.OutputNames[i];
                outputs[i] = ToSpec(name, session.OutputMetadata[name], isInput: false);
            }

            return new ModelSession(session, new ModelSignature(inputs, outputs), provider);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the model. <paramref name="inputs"/> are in signature order; the result holds one tensor per
    /// entry of <paramref name="outputIndices"/>, owned by the caller.
    /// </summary>
    public PooledTensor[] Run(ReadOnlySpan<PooledTensor> inputs, int[] outputIndices)
    {
        var signature = Signature;
        var values = new OrtValue[inputs.Length];
        var pins = ArrayPool<System.Buffers.MemoryHandle>.Shared.Rent(inputs.Length);
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                values[i] = CreateValue(inputs[i], signature.Inputs[i], ref pins[i]);
            }

            var outputNames = ReferenceEquals(outputIndices, AllOutputs) ? signature.OutputNames : SelectNames(outputIndices);
            using var results = _session.Run(_runOptions, signature.InputNames, values, outputNames);
            var tensors = new PooledTensor[outputIndices.Length];
            var converted = 0;
            try
            {
                foreach (var result in results)
                {
                    tensors[converted] = OrtValueConverter.ToPooledTensor(outputNames[converted], result);
                    converted++;
                }
            }
            catch
            {
                for (var i = 0; i < converted; i++)
                {
                    tensors[i].Dispose();
                }

                throw;
            }

            return tensors;
        }
        finally
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                values[i]?.Dispose();
                pins[i].Dispose();
                pins[i] = default;
            }

            ArrayPool<System.Buffers.MemoryHandle>.Shared.Return(pins);
        }
    }

    private string[] SelectNames(int[] outputIndices)
    {
        var names = new string[outputIndices.Length];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Signature.OutputNames[outputIndices[i]];
        }

        return names;
    }

    private static unsafe OrtValue CreateValue(PooledTensor tensor, TensorSpec spec, ref System.Buffers.MemoryHandle pin)
    {
        if (spec.DataType == TensorDataType.Bytes)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            var strings = tensor.Strings;
            for (var i = 0; i < strings.Length; i++)
            {
                value.StringTensorSetElementAt(strings[i].AsSpan(), i);
            }

            return value;
        }

        pin = tensor.Memory.Pin();
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, spec.DataType.ToOrt(), tensor.Shape, (nint)pin.Pointer, tensor.ByteLength);
    }

    private static TensorSpec ToSpec(string name, NodeMetadata metadata, bool isInput)
    {
        if (metadata.IsTensor && TensorDataTypes.TryFromOrt(metadata.ElementDataType, out var type))
        {
            return new TensorSpec(name, type.Value, Array.ConvertAll(metadata.Dimensions, d => d < 0 ? -1L : d));
        }

        if (isInput)
        {
            throw new ModelLoadException($"input '{name}' has type {metadata.OnnxValueType}/{metadata.ElementDataType}, which MlServing cannot feed (only tensors of OIP datatypes)");
        }

        return new TensorSpec(name, TensorDataType.Bytes, [-1], metadata.OnnxValueType switch
        {
            OnnxValueType.ONNX_TYPE_SEQUENCE => "sequence",
            OnnxValueType.ONNX_TYPE_MAP => "map",
            _ => metadata.OnnxValueType.ToString(),
        });
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
