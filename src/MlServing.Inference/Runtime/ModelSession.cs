using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Runtime;

/// <summary>
/// One ONNX Runtime session and its cached metadata. <see cref="Run"/> is thread-safe (ONNX Runtime allows
/// concurrent <c>Run</c> calls): inputs go in as <see cref="OrtValue"/>s over pinned pooled memory, outputs come
/// back as tensors that own ONNX Runtime's own buffers (no copy).
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

    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the file.</exception>
    /// <exception cref="ModelLoadException">The model has an input MlServing cannot feed.</exception>
    public static ModelSession Load(string path, SessionOptions options, string provider)
    {
        var session = new InferenceSession(path, options);
        try
        {
            var inputs = new TensorSpec[session.InputNames.Count];
            for (var i = 0; i < inputs.Length; i++)
            {
                var name = session.InputNames[i];
                inputs[i] = ToInputSpec(name, session.InputMetadata[name]);
            }

            var outputs = new TensorSpec[session.OutputNames.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                var name = session.OutputNames[i];
                outputs[i] = ToOutputSpec(name, session.OutputMetadata[name]);
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
        var pins = ArrayPool<MemoryHandle>.Shared.Rent(inputs.Length);
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                values[i] = CreateValue(inputs[i], signature.Inputs[i], ref pins[i]);
            }

            var outputNames = ReferenceEquals(outputIndices, AllOutputs) ? signature.OutputNames : SelectNames(outputIndices);
            var results = _session.Run(_runOptions, signature.InputNames, values, outputNames);
            var tensors = new PooledTensor[outputIndices.Length];
            var taken = 0;
            try
            {
                foreach (var result in results)
                {
                    // The tensor takes the value (kept or disposed); from here on it is not the collection's.
                    tensors[taken] = OrtValueConverter.ToTensor(signature.Outputs[outputIndices[taken]], result);
                    taken++;
                }
            }
            catch
            {
                var index = 0;
                foreach (var result in results)
                {
                    if (index++ > taken)
                    {
                        result.Dispose();
                    }
                }

                for (var i = 0; i < taken; i++)
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

            ArrayPool<MemoryHandle>.Shared.Return(pins);
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

    private static unsafe OrtValue CreateValue(PooledTensor tensor, TensorSpec spec, ref MemoryHandle pin)
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

        pin = tensor.Pin();
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, spec.DataType.ToOrt(), tensor.Shape, (nint)pin.Pointer, tensor.ByteLength);
    }

    private static TensorSpec ToInputSpec(string name, NodeMetadata metadata) =>
        metadata.IsTensor && TensorDataTypes.TryFromOrt(metadata.ElementDataType, out var type)
            ? new TensorSpec(name, type.Value, Dims(metadata))
            : throw new ModelLoadException($"input '{name}' has type {metadata.OnnxValueType}/{metadata.ElementDataType}, which MlServing cannot feed (only tensors of OIP datatypes)");

    private static TensorSpec ToOutputSpec(string name, NodeMetadata metadata)
    {
        if (metadata.IsTensor && TensorDataTypes.TryFromOrt(metadata.ElementDataType, out var type))
        {
            return new TensorSpec(name, type.Value, Dims(metadata));
        }

        if (metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE
            && metadata.AsSequenceMetadata().ElementMeta is { OnnxValueType: OnnxValueType.ONNX_TYPE_MAP } element
            && element.AsMapMetadata().ValueMetadata is { IsTensor: true } value
            && TensorDataTypes.TryFromOrt(value.ElementDataType, out var valueType)
            && valueType.Value is TensorDataType.Float32 or TensorDataType.Float64 or TensorDataType.Int64 or TensorDataType.Int32)
        {
            return new TensorSpec(name, valueType.Value, [-1, -1], isMapSequence: true);
        }

        throw new ModelLoadException($"output '{name}' has type {metadata.OnnxValueType}, which MlServing cannot serve (tensors of OIP datatypes and sequences of maps only)");
    }

    private static long[] Dims(NodeMetadata metadata) => Array.ConvertAll(metadata.Dimensions, d => d < 0 ? -1L : d);

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
