using MlServing.Inference.Tensors;

namespace MlServing.Inference.Runtime;

/// <summary>The inputs and outputs of a model version, read from its ONNX metadata.</summary>
public sealed class ModelSignature
{
    public ModelSignature(TensorSpec[] inputs, TensorSpec[] outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        InputNames = Array.ConvertAll(inputs, i => i.Name);
        OutputNames = Array.ConvertAll(outputs, o => o.Name);

        // Batchable only when every input and output has a dynamic dim 0 (docs/MODEL_REPOSITORY.md). A map output
        // (scikit-learn's ZipMap) has one map per row, so it is [-1, classes] and splits like a tensor.
        IsBatchable = inputs.Length > 0
            && Array.TrueForAll(inputs, i => i.HasDynamicBatchDim)
            && Array.TrueForAll(outputs, o => o.HasDynamicBatchDim);
    }

    public TensorSpec[] Inputs { get; }

    public TensorSpec[] Outputs { get; }

    public string[] InputNames { get; }

    public string[] OutputNames { get; }

    public bool IsBatchable { get; }

    public int IndexOfInput(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < Inputs.Length; i++)
        {
            if (name.SequenceEqual(Inputs[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

    public int IndexOfOutput(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < Outputs.Length; i++)
        {
            if (name.SequenceEqual(Outputs[i].Name))
            {
                return i;
            }
        }

        return -1;
    }
}
