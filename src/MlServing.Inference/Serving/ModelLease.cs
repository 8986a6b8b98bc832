using MlServing.Inference.Repository;

namespace MlServing.Inference.Serving;

/// <summary>A request's hold on the model version it resolved: the version keeps serving it until this is disposed.</summary>
public sealed class ModelLease : IDisposable
{
    private int _released;

    internal ModelLease(ModelVersion model) => Model = model;

    public ModelVersion Model { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.Release();
        }
    }
}
