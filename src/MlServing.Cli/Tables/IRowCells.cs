namespace MlServing.Cli.Tables;

/// <summary>The input cells of a batch's rows, passed through to the output as they were read.</summary>
internal interface IRowCells : IDisposable
{
    /// <summary>Writes row <paramref name="row"/>'s cells as the CSV row's next cells.</summary>
    void WriteCsv(int row, CsvTextWriter target);

    /// <summary>Copies column <paramref name="column"/> of every row into <paramref name="destination"/> (an array of the column's Parquet type).</summary>
    void CopyColumn(int column, Array destination, int destinationIndex);
}
