using System.Globalization;
using MlServing.Cli.Scoring;
using nietras.SeparatedValues;
using Parquet.Schema;

namespace MlServing.Cli.Tables;

/// <summary>
/// Streams a CSV (or TSV) file with Sep: a header row, then rows whose features are parsed straight into the batch's
/// model input and whose cells are kept as text for the output. Lines count from 1 at the header.
/// </summary>
internal sealed class CsvTableReader : ITableReader
{
    private readonly FileStream _stream;
    private readonly SepReader _reader;
    private readonly RowAssembler _assembler;
    private readonly int[] _features;
    private readonly string[] _columns;
    private readonly long _length;
    private readonly bool _keepLines;
    private long _position;
    private int _charsPerRow = 64;

    private CsvTableReader(FileStream stream, SepReader reader, RowAssembler assembler, int[] features, string[] columns, bool keepLines)
    {
        _keepLines = keepLines;
        _stream = stream;
        _reader = reader;
        _assembler = assembler;
        _features = features;
        _columns = columns;
        _length = stream.CanSeek ? stream.Length : 0;
        Fields = Array.ConvertAll(columns, c => new DataField<string>(c, nullable: true));
    }

    public IReadOnlyList<string> Columns => _columns;

    public IReadOnlyList<DataField> Fields { get; }

    public double? Fraction => _length > 0 ? Math.Min(1, (double)Volatile.Read(ref _position) / _length) : null;

    public static CsvTableReader Open(string path, TableFormat format, ScoringModel model, ReadSettings settings)
    {
        var stream = TableFiles.OpenRead(path);
        try
        {
            var reader = Sep.Reader(o => o with { Sep = new Sep(format.Separator()), Unescape = true, DisableColCountCheck = true, HasHeader = true }).From(stream);
            var columns = reader.Header.ColNames.ToArray();
            if (columns.Length == 0)
            {
                throw new CliException($"{path} is empty: a header row naming the columns is needed");
            }

            var features = FeatureColumns.Match(columns, model, path);
            return new CsvTableReader(stream, reader, new RowAssembler(model, settings.BatchSize, settings.SkipInvalid, settings.ResumeRows), features, columns, settings.KeepLines);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public ValueTask<RowBatch?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_assembler.Stop is not null)
        {
            return ValueTask.FromResult<RowBatch?>(null);
        }

        var assembler = _assembler;
        var cells = _keepLines
            ? CsvCells.Lines(assembler.BatchSize, _charsPerRow * assembler.BatchSize)
            : new CsvCells(_columns.Length, assembler.BatchSize, _charsPerRow * assembler.BatchSize);
        while (!assembler.IsFull && assembler.Stop is null && _reader.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = _reader.Current;
            if (_keepLines)
            {
                // Taken before the features are read: unescaping a quoted cell may rewrite the row's text in place.
                cells.Add(row.Span);
                if (!assembler.Accept(ParseRow(row)))
                {
                    cells.RemoveLast();
                }
            }
            else if (assembler.Accept(ParseRow(row)))
            {
                for (var c = 0; c < _columns.Length; c++)
                {
                    cells.Add(row[c].Span);
                }
            }
        }

        if (assembler.Count > 0)
        {
            _charsPerRow = Math.Max(_charsPerRow, (cells.Chars / assembler.Count) + 8);
        }

        Volatile.Write(ref _position, _stream.CanSeek ? _stream.Position : 0);
        return ValueTask.FromResult(assembler.Take(cells));
    }

    private BadRow? ParseRow(SepReader.Row row)
    {
        if (row.ColCount != _columns.Length)
        {
            return new BadRow(Line(row), null, $"the row has {row.ColCount} columns, the header {_columns.Length}");
        }

        var parser = _assembler.Parser;
        for (var j = 0; j < _features.Length; j++)
        {
            var error = parser.Parse(row[_features[j]], _assembler.Element(j));
            if (error is not null)
            {
                return new BadRow(Line(row), _columns[_features[j]], error);
            }
        }

        return null;
    }

    private static string Line(SepReader.Row row) => string.Create(CultureInfo.InvariantCulture, $"line {row.LineNumberFrom}");

    public ValueTask DisposeAsync()
    {
        _assembler.Dispose();
        _reader.Dispose();
        return _stream.DisposeAsync();
    }
}
