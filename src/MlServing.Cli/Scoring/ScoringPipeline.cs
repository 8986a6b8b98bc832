using System.Threading.Channels;
using MlServing.Cli.Progress;
using MlServing.Cli.Tables;

namespace MlServing.Cli.Scoring;

/// <summary>
/// Reader → scorer → writer, each stage on its own, joined by bounded channels: at most two batches read ahead and
/// <c>concurrency</c> batches being scored, so memory stays flat whatever the file size. Batches are written in input
/// order. A bad row ends the run after the rows before it are written; Ctrl-C ends it after the last batch written,
/// and the output is completed either way.
/// </summary>
internal sealed class ScoringPipeline
{
    private readonly ITableReader _reader;
    private readonly IBatchScorer _scorer;
    private readonly Func<PredictionColumns, ValueTask<ITableWriter>> _openWriter;
    private readonly TextWriter _listing;
    private readonly int _concurrency;
    private readonly TimeProvider _time;

    public ScoringPipeline(ITableReader reader, IBatchScorer scorer, Func<PredictionColumns, ValueTask<ITableWriter>> openWriter, TextWriter listing, int concurrency, TimeProvider time)
    {
        _time = time;
        _reader = reader;
        _scorer = scorer;
        _openWriter = openWriter;
        _listing = listing;
        _concurrency = concurrency;
    }

    /// <summary>Whether the reader stage ended (it may not when cancelled while waiting on a pipe); only then may the reader be disposed.</summary>
    public bool ReaderFinished { get; private set; }

    /// <summary>Runs the stages to the end of the input, a bad row, an error or Ctrl-C; the output is complete in every case.</summary>
    /// <param name="progress">Told after every batch written.</param>
    /// <param name="writeEmpty">Whether an input without rows still gets an output (header or schema only).</param>
    /// <param name="cancellationToken">Ctrl-C: stop after the batches written so far.</param>
    public async Task<ScoreResult> RunAsync(IProgressSink progress, bool writeEmpty, CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var scored = Channel.CreateBounded<Task<ScoredBatch>>(new BoundedChannelOptions(_concurrency) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Factory.StartNew(() => ReadAllAsync(batches.Writer, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var scoring = ScoreAllAsync(batches.Reader, scored.Writer, stop.Token);

        ITableWriter? writer = null;
        long rows = 0;
        long skipped = 0;
        BadRow? badRow = null;
        var cancelled = false;
        try
        {
            try
            {
                await foreach (var pending in scored.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    var result = await pending.ConfigureAwait(false);
                    var batch = result.Batch;
                    foreach (var bad in batch.Skipped)
                    {
                        await _listing.WriteLineAsync("skipped " + bad).ConfigureAwait(false);
                    }

                    skipped += batch.Skipped.Count;
                    badRow = batch.Stop;
                    var count = batch.Count;
                    if (count == 0)
                    {
                        result.Dispose();
                        continue;
                    }

                    writer ??= await OpenAsync(result.Outputs, count).ConfigureAwait(false);
                    await writer.WriteAsync(result, CancellationToken.None).ConfigureAwait(false);
                    rows += count;
                    progress.Report(rows, skipped, _reader.Fraction);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
            }

            if (writer is null && writeEmpty && !cancelled && rows == 0)
            {
                var empty = _scorer.EmptyOutputs();
                try
                {
                    writer = await OpenAsync(empty, 0).ConfigureAwait(false);
                }
                finally
                {
                    foreach (var output in empty)
                    {
                        output.Dispose();
                    }
                }
            }

            if (writer is not null)
            {
                await writer.CompleteAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await DrainAsync(batches.Reader, scored.Reader, reading, scoring).ConfigureAwait(false);
            if (writer is not null)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }

        await _listing.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return new ScoreResult(rows, skipped, badRow, cancelled);
    }

    private ValueTask<ITableWriter> OpenAsync(Inference.Tensors.PooledTensor[] outputs, int rows) =>
        _openWriter(PredictionColumns.Create(outputs, rows, _scorer.Model.Labels, _reader.Columns));

    private async Task ReadAllAsync(ChannelWriter<RowBatch> batches, CancellationToken cancellationToken)
    {
        try
        {
            while (await _reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } batch)
            {
                if (!batches.TryWrite(batch))
                {
                    try
                    {
                        await batches.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        batch.Dispose();
                        throw;
                    }
                }
            }

            batches.Complete();
        }
        catch (Exception ex)
        {
            batches.Complete(ex);
        }
    }

    private async Task ScoreAllAsync(ChannelReader<RowBatch> batches, ChannelWriter<Task<ScoredBatch>> scored, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in batches.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var task = ScoreAsync(batch, cancellationToken);
                try
                {
                    await scored.WriteAsync(task, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _ = task.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    throw;
                }
            }

            scored.Complete();
        }
        catch (Exception ex)
        {
            scored.Complete(ex);
        }
    }

    private async Task<ScoredBatch> ScoreAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            var outputs = batch.Count == 0 ? [] : await _scorer.ScoreAsync(batch.TakeFeatures(), batch.Count, cancellationToken).ConfigureAwait(false);
            return new ScoredBatch(batch, outputs);
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Lets the stages end and releases every batch still in flight (after an error or Ctrl-C). A reader blocked on
    /// a pipe that sends nothing more is left behind (<see cref="ReaderFinished"/> stays false).
    /// </summary>
    private async Task DrainAsync(ChannelReader<RowBatch> batches, ChannelReader<Task<ScoredBatch>> scored, Task reading, Task scoring)
    {
        await scoring.ConfigureAwait(false);
        try
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(2), _time).ConfigureAwait(false);
            ReaderFinished = true;
        }
        catch (TimeoutException)
        {
            return;
        }

        while (batches.TryRead(out var batch))
        {
            batch.Dispose();
        }

        while (scored.TryRead(out var pending))
        {
            try
            {
                (await pending.ConfigureAwait(false)).Dispose();
            }
            catch (Exception ex) when (ex is OperationCanceledException or CliException)
            {
                // Already reported by the stage that failed, or cancelled with the run.
            }
        }
    }
}
