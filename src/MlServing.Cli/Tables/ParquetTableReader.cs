using System.Globalization;
using MlServing.Cli.Scoring;
using Parquet;
using Parquet.Schema;

namespace MlServing.Cli.Tables;

/// <summary>
/// Reads a Parquet file one row group at a time (memory is bounded by the largest row group, not the file) and hands
/// out batches of its rows. Rows are named by their 0-based index in the file.
/// </summary>
internal sealed class ParquetTableReader : ITableReader
{
    private readonly ParquetReader _reader;
    private readonly RowAssembler _assembler;
    private readonly DataField[] _fields;
    private readonly string[] _columns;
    private readonly int[] _features;
    private readonly long _totalRows;
    private int _group = -1;
    private Array[] _groupColumns = [];
    private int _groupRows;
    private int _next;
    private long _groupStart;
    private long _rowsDone;

    private ParquetTableReader(ParquetReader reader, RowAssembler assembler, DataField[] fields, int[] features)
    {
        _reader = reader;
        _assembler = assembler;
        _fields = fields;
        _columns = Array.ConvertAll(fields, f => f.Name);
        _features = features;
        foreach (var group in reader.RowGroups)
        {
            _totalRows += group.RowCount;
        }
    }

    public IReadOnlyList<string> Columns => _columns;

    public IReadOnlyList<DataField> Fields => _fields;

    public double? Fraction => _totalRows > 0 ? (double)Volatile.Read(ref _rowsDone) / _totalRows : 1;

    public static async Task<ParquetTableReader> OpenAsync(string path, ScoringModel model, ReadSettings settings, CancellationToken cancellationToken)
    {
        var stream = TableFiles.OpenRead(path);
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new CliException($"{path} is not a readable Parquet file: {ex.Message}");
        }

        try
        {
            var fields = new DataField[reader.Schema.Fields.Count];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.Schema.Fields[i] as DataField
                    ?? throw new CliException($"{path}: column '{reader.Schema.Fields[i].Name}' is nested ({reader.Schema.Fields[i].SchemaType}); only flat columns can be scored");
                ParquetColumns.ElementType(fields[i]);
            }

            var features = FeatureColumns.Match(Array.ConvertAll(fields, f => f.Name), model, path);
            return new ParquetTableReader(reader, new RowAssembler(model, settings.BatchSize, settings.SkipInvalid, settings.ResumeRows), fields, features);
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<RowBatch?> ReadAsync(CancellationToken cancellationToken)
    {
        var assembler = _assembler;
        while (assembler.Stop is null)
        {
            if (_next >= _groupRows && !await NextGroupAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            // A batch never spans row groups: its cells point into this group's column arrays.
            var cells = new ParquetCells(_groupColumns, assembler.BatchSize);
            while (!assembler.IsFull && assembler.Stop is null && _next < _groupRows)
            {
                var row = _next++;
                if (assembler.Accept(ParseRow(row)))
                {
                    cells.Add(row);
                }
            }

            Volatile.Write(ref _rowsDone, _groupStart + _next);
            if (assembler.Take(cells) is { } batch)
            {
                return batch;
            }
        }

        return null;
    }

    private async Task<bool> NextGroupAsync(CancellationToken cancellationToken)
    {
        _groupStart += _groupRows;
        _groupColumns = [];
        _groupRows = 0;
        _next = 0;
        if (++_group >= _reader.RowGroupCount)
        {
            return false;
        }

        using var group = _reader.OpenRowGroupReader(_group);
        var rows = checked((int)group.RowCount);
        var columns = new Array[_fields.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = await ParquetColumns.ReadAsync(group, _fields[c], rows, cancellationToken).ConfigureAwait(false);
        }

        _groupColumns = columns;
        _groupRows = rows;
        return true;
    }

    private BadRow? ParseRow(int row)
    {
        for (var j = 0; j < _features.Length; j++)
        {
            var error = ParseCell(_groupColumns[_features[j]], row, _assembler.Element(j));
            if (error is not null)
            {
                return new BadRow(string.Create(CultureInfo.InvariantCulture, $"row index {_groupStart + row}"), _columns[_features[j]], error);
            }
        }

        return null;
    }

    private string? ParseCell(Array column, int row, Span<byte> element)
    {
        var parser = _assembler.Parser;
        const string Empty = "the cell is empty (null)";
        return column switch
        {
            float[] values => parser.FromNumber(values[row], element),
            double[] values => parser.FromNumber(values[row], element),
            float?[] values => values[row] is { } value ? parser.FromNumber(value, element) : Empty,
            double?[] values => values[row] is { } value ? parser.FromNumber(value, element) : Empty,
            string?[] values => values[row] is { } text ? parser.Parse(text, element) : Empty,
            _ => column.GetValue(row) switch
            {
                null => Empty,
                bool flag => parser.FromNumber(flag ? 1 : 0, element),
                IConvertible number and not DateTime => parser.FromNumber(number.ToDouble(CultureInfo.InvariantCulture), element),
                var other => $"a {other.GetType().Name} cannot feed the model's {parser.DataTypeName} input",
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        _assembler.Dispose();
        await _reader.DisposeAsync().ConfigureAwait(false);
    }
}
