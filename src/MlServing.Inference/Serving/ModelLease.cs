using MlServing.Inference.Repository;
using MlServing.Inference.Rollout;

namespace MlServing.Inference.Serving;

/// <summary>A request's hold on the model version it resolved: the version keeps serving it until this is disposed.</summary>
public sealed class ModelLease : IDisposable
{
    private int _released;

    internal ModelLease(ModelVersion model, ModelEntry entry, TrafficPolicy? routedBy)
    {
        Model = model;
        Entry = entry;
        RoutedBy = routedBy;
    }

    public ModelVersion Model { get; }

    /// <summary>The model as it was when the version was chosen.</summary>
    internal ModelEntry Entry { get; }

    /// <summary>The traffic policy that chose the version (null when the request named one).</summary>
    internal TrafficPolicy? RoutedBy { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.Release();
        }
    }
}
