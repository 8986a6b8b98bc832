using MlServing.Inference.Tensors;

namespace MlServing.Cli.Scoring;

/// <summary>Runs batches of rows through a model: in this process (the engine) or through a running server.</summary>
internal interface IBatchScorer : IAsyncDisposable
{
    ScoringModel Model { get; }

    /// <summary>The model version that answers, as a number.</summary>
    string Version { get; }

    /// <summary>Scores <paramref name="rows"/> rows; takes <paramref name="features"/>; the caller owns (and disposes) the outputs.</summary>
    ValueTask<PooledTensor[]> ScoreAsync(PooledTensor features, int rows, CancellationToken cancellationToken);

    /// <summary>Zero-row outputs shaped like the model's, so an input without rows still gets every output column.</summary>
    PooledTensor[] EmptyOutputs();
}
