using MlServing.Cli.Scoring;

namespace MlServing.Cli.Tables;

/// <summary>Writes scored rows as they come: input columns passed through, then the prediction columns.</summary>
internal interface ITableWriter : IAsyncDisposable
{
    /// <summary>Writes (or buffers) a scored batch; takes ownership of it.</summary>
    ValueTask WriteAsync(ScoredBatch scored, CancellationToken cancellationToken);

    /// <summary>Writes what is buffered and closes the file so that it is complete and valid (also after Ctrl-C).</summary>
    ValueTask CompleteAsync();
}
