using System.Text;
using MlServing.Cli.Scoring;
using nietras.SeparatedValues;

namespace MlServing.Cli.Tables;

/// <summary>
/// Writes CSV with Sep: the header (unless appending to a resumed output), then whole rows, flushed after every
/// batch, so an interrupted run leaves only complete rows.
/// </summary>
internal sealed class CsvTableWriter : ITableWriter
{
    private readonly StreamWriter _text;
    private readonly SepWriter _writer;
    private readonly OutputLayout _layout;
    private readonly int _inputs;
    private bool _completed;

    private CsvTableWriter(StreamWriter text, SepWriter writer, OutputLayout layout)
    {
        _text = text;
        _writer = writer;
        _layout = layout;
        _inputs = layout.InputColumns.Count;
    }

    public static CsvTableWriter Open(string path, TableFormat format, OutputLayout layout, bool append)
    {
        var stream = TableFiles.OpenWrite(path, append);
        if (append)
        {
            stream.Seek(0, SeekOrigin.End);
        }

        var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
        var writer = Sep.Writer(o => o with { Sep = new Sep(format.Separator()), WriteHeader = !append, Escape = true }).To(text, leaveOpen: true);
        writer.Header.Add(layout.Names);
        return new CsvTableWriter(text, writer, layout);
    }

    public ValueTask WriteAsync(ScoredBatch scored, CancellationToken cancellationToken)
    {
        using (scored)
        {
            var batch = scored.Batch;
            for (var r = 0; r < batch.Count; r++)
            {
                using var row = _writer.NewRow(CancellationToken.None);
                for (var c = 0; c < _inputs; c++)
                {
                    batch.Cells.WriteCsv(r, c, row[c]);
                }

                _layout.Predictions.WriteCsv(scored.Outputs, r, row, _inputs);
            }
        }

        _writer.Flush();
        _text.Flush();
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync()
    {
        if (!_completed)
        {
            _completed = true;
            _writer.Dispose();
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
