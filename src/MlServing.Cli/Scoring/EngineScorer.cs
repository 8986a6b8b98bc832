using MlServing.Cli.Engine;
using MlServing.Inference.Serving;
using MlServing.Inference.Tensors;

namespace MlServing.Cli.Scoring;

/// <summary>Scores batches in this process through <see cref="InferenceService"/>, on the leased model version.</summary>
internal sealed class EngineScorer : IBatchScorer
{
    private readonly LocalEngine _engine;
    private readonly TableFields _fields;

    public EngineScorer(LocalEngine engine)
    {
        _engine = engine;
        Model = ScoringModel.FromVersion(engine.Lease.Model);
        _fields = new TableFields(Model.Features);
    }

    public ScoringModel Model { get; }

    public string Version => _engine.Lease.Model.VersionText;

    public async ValueTask<PooledTensor[]> ScoreAsync(PooledTensor features, int rows, CancellationToken cancellationToken)
    {
        using var call = new InferenceCall([features], _fields);
        var response = await _engine.Service.InferAsync(_engine.Lease, call, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            // The outputs now belong to the caller.
            return response.Outputs;
        }

        response.Dispose();
        cancellationToken.ThrowIfCancellationRequested();
        throw new CliException($"model '{Model.Name}' version {Version} refused a batch: {LocalEngine.Describe(response.Error!)}");
    }

    public PooledTensor[] EmptyOutputs()
    {
        var outputs = _engine.Lease.Model.Signature.Outputs;
        return Array.ConvertAll(outputs, o => EmptyTensors.Create(o.Name, o.DataType, o.Shape, o.Classes));
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();
}
