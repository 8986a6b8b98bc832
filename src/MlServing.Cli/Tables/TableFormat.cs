namespace MlServing.Cli.Tables;

/// <summary>The file formats the CLI reads and writes, told by the file's extension.</summary>
internal enum TableFormat
{
    Csv,
    Tsv,
    Parquet,
}

internal static class TableFormats
{
    public static TableFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" or ".txt" => TableFormat.Csv,
        ".tsv" => TableFormat.Tsv,
        ".parquet" or ".pq" => TableFormat.Parquet,
        var other => throw new CliException($"{path}: unknown file type '{other}' (use .csv, .tsv or .parquet)"),
    };

    public static char Separator(this TableFormat format) => format == TableFormat.Tsv ? '\t' : ',';
}
