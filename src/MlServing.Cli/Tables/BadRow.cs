namespace MlServing.Cli.Tables;

/// <summary>A row that cannot be scored: where it is (<c>line 7</c> of a CSV, <c>row index 6</c> of a Parquet file), which column and why.</summary>
internal sealed record BadRow(string Location, string? Column, string Reason)
{
    public override string ToString() => Column is null ? $"{Location}: {Reason}" : $"{Location}, column '{Column}': {Reason}";
}
