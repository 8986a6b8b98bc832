using System.Text;
using MlServing.Cli.Scoring;

namespace MlServing.Cli.Tables;

/// <summary>
/// Writes CSV: the header (unless appending to a resumed output), then whole rows, flushed after every batch, so an
/// interrupted run leaves only complete rows. The input's cells come first, as the batch holds them (a CSV input's
/// lines as they were read, when the output has the input's format), then the predictions.
/// </summary>
internal sealed class CsvTableWriter : ITableWriter
{
    private readonly StreamWriter _text;
    private readonly CsvTextWriter _csv;
    private readonly OutputLayout _layout;
    private bool _completed;

    private CsvTableWriter(StreamWriter text, CsvTextWriter csv, OutputLayout layout)
    {
        _text = text;
        _csv = csv;
        _layout = layout;
    }

    public static CsvTableWriter Open(string path, TableFormat format, OutputLayout layout, bool append)
    {
        var stream = TableFiles.OpenWrite(path, append);
        if (append)
        {
            stream.Seek(0, SeekOrigin.End);
        }

        var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
        var csv = new CsvTextWriter(text, format.Separator());
        if (!append)
        {
            foreach (var name in layout.Names)
            {
                csv.Text(name);
            }

            csv.EndRow();
        }

        return new CsvTableWriter(text, csv, layout);
    }

    public ValueTask WriteAsync(ScoredBatch scored, CancellationToken cancellationToken)
    {
        using (scored)
        {
            var batch = scored.Batch;
            for (var r = 0; r < batch.Count; r++)
            {
                batch.Cells.WriteCsv(r, _csv);
                _layout.Predictions.WriteCsv(scored.Outputs, r, _csv);
                _csv.EndRow();
            }
        }

        _text.Flush();
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync()
    {
        if (!_completed)
        {
            _completed = true;
            _text.Flush();
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await CompleteAsync().ConfigureAwait(false);
        await _text.DisposeAsync().ConfigureAwait(false);
    }
}
