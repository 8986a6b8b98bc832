using System.Buffers;
using nietras.SeparatedValues;

namespace MlServing.Cli.Tables;

/// <summary>The text of every cell of a batch of CSV rows, in one rented buffer (no string per cell).</summary>
internal sealed class CsvCells : IRowCells
{
    private readonly int _columns;
    private char[] _text;
    private int[] _ends;
    private int _length;
    private int _cells;

    public CsvCells(int columns, int rowsHint, int charsHint)
    {
        _columns = columns;
        _text = ArrayPool<char>.Shared.Rent(Math.Max(charsHint, 256));
        _ends = ArrayPool<int>.Shared.Rent(Math.Max(columns * rowsHint, 16));
    }

    public int Chars => _length;

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

    public void WriteCsv(int row, int column, SepWriter.Col cell) => cell.Set(Cell(row, column));

    public void CopyColumn(int column, Array destination, int destinationIndex)
    {
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
