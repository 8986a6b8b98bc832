using MlServing.Cli.Scoring;
using Parquet;
using Parquet.Schema;

namespace MlServing.Cli.Tables;

/// <summary>
/// Writes Parquet with Parquet.Net: scored batches are gathered into row groups of <c>--row-group-size</c> rows; on
/// completion (also after Ctrl-C) the rows gathered so far become a last row group and the footer is written, so the
/// file is always valid. A resumed output gets new row groups appended.
/// </summary>
internal sealed class ParquetTableWriter : ITableWriter
{
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly OutputLayout _layout;
    private readonly DataField[] _fields;
    private readonly int _rowGroupSize;
    private readonly List<ScoredBatch> _pending = [];
    private int _pendingRows;
    private bool _completed;

    private ParquetTableWriter(Stream stream, ParquetWriter writer, OutputLayout layout, DataField[] fields, int rowGroupSize)
    {
        _stream = stream;
        _writer = writer;
        _layout = layout;
        _fields = fields;
        _rowGroupSize = rowGroupSize;
    }

    public static async Task<ParquetTableWriter> OpenAsync(string path, OutputLayout layout, bool append, int rowGroupSize, CancellationToken cancellationToken)
    {
        var fields = layout.Fields;
        var stream = TableFiles.OpenWrite(path, append);
        try
        {
            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, null, append, cancellationToken).ConfigureAwait(false);
            return new ParquetTableWriter(stream, writer, layout, fields, rowGroupSize);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask WriteAsync(ScoredBatch scored, CancellationToken cancellationToken)
    {
        _pending.Add(scored);
        _pendingRows += scored.Batch.Count;
        if (_pendingRows >= _rowGroupSize)
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes the gathered batches as one row group (never cancelled midway: a row group is written whole).</summary>
    private async Task FlushAsync()
    {
        if (_pendingRows == 0)
        {
            DisposePending();
            return;
        }

        var inputs = _layout.InputColumns.Count;
        using var group = _writer.CreateRowGroup();
        for (var c = 0; c < _fields.Length; c++)
        {
            var values = ParquetColumns.Allocate(_fields[c], _pendingRows);
            var at = 0;
            foreach (var scored in _pending)
            {
                var rows = scored.Batch.Count;
                if (c < inputs)
                {
                    scored.Batch.Cells.CopyColumn(c, values, at);
                }
                else if (rows > 0)
                {
                    Array.Copy(_layout.Predictions.Values(c - inputs, scored.Outputs, rows), 0, values, at, rows);
                }

                at += rows;
            }

            await ParquetColumns.WriteAsync(group, _fields[c], values, _pendingRows, CancellationToken.None).ConfigureAwait(false);
        }

        group.CompleteValidate();
        DisposePending();
    }

    private void DisposePending()
    {
        foreach (var scored in _pending)
        {
            scored.Dispose();
        }

        _pending.Clear();
        _pendingRows = 0;
    }

    public async ValueTask CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        await FlushAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _stream.FlushAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            DisposePending();
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
