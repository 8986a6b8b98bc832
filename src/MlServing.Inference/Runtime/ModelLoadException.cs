namespace MlServing.Inference.Runtime;

/// <summary>A model version could not be loaded; the message is shown to operators in the repository index and readiness body.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
