using Parquet.Schema;

namespace MlServing.Cli.Tables;

/// <summary>Reads an input file in batches of rows, in order, with bounded memory.</summary>
internal interface ITableReader : IAsyncDisposable
{
    /// <summary>The input's column names, in file order.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>The Parquet type of each input column in a Parquet output (CSV columns are text).</summary>
    IReadOnlyList<DataField> Fields { get; }

    /// <summary>The share of the input read so far (0 to 1), or null when the size is not known (a pipe).</summary>
    double? Fraction { get; }

    /// <summary>The next batch, or null at the end of the input (or after the batch that holds a stopping bad row).</summary>
    ValueTask<RowBatch?> ReadAsync(CancellationToken cancellationToken);
}
