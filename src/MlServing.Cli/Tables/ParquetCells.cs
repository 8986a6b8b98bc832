using System.Buffers;

namespace MlServing.Cli.Tables;

/// <summary>A batch's rows of a Parquet row group: the group's column arrays and the indices of the rows taken.</summary>
internal sealed class ParquetCells : IRowCells
{
    private readonly Array[] _columns;
    private int[] _rows;

    public ParquetCells(Array[] columns, int capacity)
    {
        _columns = columns;
        _rows = ArrayPool<int>.Shared.Rent(Math.Max(capacity, 1));
    }

    public int Count { get; private set; }

    public void Add(int rowInGroup) => _rows[Count++] = rowInGroup;

    public void WriteCsv(int row, CsvTextWriter target)
    {
        foreach (var column in _columns)
        {
            target.Text(ParquetColumns.FormatValue(column.GetValue(_rows[row])));
        }
    }

    public void CopyColumn(int column, Array destination, int destinationIndex)
    {
        var source = _columns[column];
        for (var row = 0; row < Count; row++)
        {
            // Runs of consecutive rows (the usual case: nothing skipped) are copied in one go.
            var start = row;
            while (row + 1 < Count && _rows[row + 1] == _rows[row] + 1)
            {
                row++;
            }

            Array.Copy(source, _rows[start], destination, destinationIndex + start, row - start + 1);
        }
    }

    public void Dispose()
    {
        if (_rows.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_rows);
            _rows = [];
        }
    }
}
