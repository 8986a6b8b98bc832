using System.Buffers;

namespace MlServing.Cli.Tables;

/// <summary>
/// The text of a batch of CSV rows in one rented buffer (no string per cell): every cell, unescaped, or — when the
/// output has the input's format — each row's line as it was read (<see cref="Lines"/>), written through whole.
/// </summary>
internal sealed class CsvCells : IRowCells
{
    private readonly int _columns;
    private readonly bool _lines;
    private char[] _text;
    private int[] _ends;
    private int _length;
    private int _cells;

    public CsvCells(int columns, int rowsHint, int charsHint)
        : this(columns, lines: false, rowsHint, charsHint)
    {
    }

    private CsvCells(int columns, bool lines, int rowsHint, int charsHint)
    {
        _columns = columns;
        _lines = lines;
        _text = ArrayPool<char>.Shared.Rent(Math.Max(charsHint, 256));
        _ends = ArrayPool<int>.Shared.Rent(Math.Max(columns * rowsHint, 16));
    }

    /// <summary>One entry per row: the row's line as read (its cells still in CSV form), added with <see cref="Add"/>.</summary>
    public static CsvCells Lines(int rowsHint, int charsHint) => new(1, lines: true, rowsHint, charsHint);

    public int Chars => _length;

    /// <summary>Drops the entry added last (a row that turned out to be invalid).</summary>
    public void RemoveLast()
    {
        _cells--;
        _length = _cells == 0 ? 0 : _ends[_cells - 1];
    }

    public void Add(ReadOnlySpan<char> cell)
    {
        if (_length + cell.Length > _text.Length)
        {
            _text = Grow(_text, _length, _length + cell.Length);
        }

        if (_cells == _ends.Length)
        {
            _ends = Grow(_ends, _cells, _cells + 1);
        }

        cell.CopyTo(_text.AsSpan(_length));
        _length += cell.Length;
        _ends[_cells++] = _length;
    }

    public ReadOnlySpan<char> Cell(int row, int column)
    {
        var index = (row * _columns) + column;
        var start = index == 0 ? 0 : _ends[index - 1];
        return _text.AsSpan(start, _ends[index] - start);
    }

    public void WriteCsv(int row, CsvTextWriter target)
    {
        if (_lines)
        {
            target.Raw(Cell(row, 0));
            return;
        }

        for (var column = 0; column < _columns; column++)
        {
            target.Text(Cell(row, column));
        }
    }

    public void CopyColumn(int column, Array destination, int destinationIndex)
    {
        if (_lines)
        {
            throw new InvalidOperationException("rows kept as lines are written only to an output of the input's format");
        }

        var strings = (string?[])destination;
        var rows = _cells / _columns;
        for (var row = 0; row < rows; row++)
        {
            strings[destinationIndex + row] = Cell(row, column).ToString();
        }
    }

    private static T[] Grow<T>(T[] array, int used, int needed)
    {
        var larger = ArrayPool<T>.Shared.Rent(Math.Max(needed, array.Length * 2));
        array.AsSpan(0, used).CopyTo(larger);
        ArrayPool<T>.Shared.Return(array);
        return larger;
    }

    public void Dispose()
    {
        if (_text.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_text);
            ArrayPool<int>.Shared.Return(_ends);
            _text = [];
            _ends = [];
        }
    }
}
