using nietras.SeparatedValues;
using Parquet;

namespace MlServing.Cli.Tables;

/// <summary>
/// What an output left by an earlier, interrupted run holds (for <c>--resume</c>): its columns and how many rows
/// were scored into it. A CSV line cut short by a hard kill is dropped first.
/// </summary>
internal sealed record ExistingOutput(IReadOnlyList<string> Columns, long Rows)
{
    public static async Task<ExistingOutput?> ReadAsync(string path, TableFormat format, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return null;
        }

        if (format == TableFormat.Parquet)
        {
            try
            {
                await using var reader = await ParquetReader.CreateAsync(path, null, cancellationToken).ConfigureAwait(false);
                long rows = 0;
                foreach (var group in reader.RowGroups)
                {
                    rows += group.RowCount;
                }

                return new ExistingOutput([.. reader.Schema.Fields.Select(f => f.Name)], rows);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException)
            {
                throw new CliException($"cannot resume {path}: it is not a complete Parquet file ({ex.Message}); delete it and score again");
            }
        }

        DropPartialLastLine(path);
        if (new FileInfo(path).Length == 0)
        {
            return null;
        }

        using var csv = Sep.Reader(o => o with { Sep = new Sep(format.Separator()), Unescape = true, DisableColCountCheck = true }).FromFile(path);
        var columns = csv.Header.ColNames.ToArray();
        long count = 0;
        foreach (var _ in csv)
        {
            count++;
        }

        return new ExistingOutput(columns, count);
    }

    /// <summary>Stops unless this output has exactly the columns the run writes.</summary>
    public void CheckColumns(string path, string[] expected)
    {
        if (!Columns.SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new CliException($"cannot resume {path}: it has the columns {Describe(Columns)}, but this run writes {Describe(expected)}");
        }
    }

    private static string Describe(IReadOnlyList<string> columns) =>
        string.Join(", ", columns.Take(10)) + (columns.Count > 10 ? $", … ({columns.Count} in all)" : string.Empty);

    private static void DropPartialLastLine(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var buffer = new byte[4096];
        var end = stream.Length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            stream.Position = start;
            stream.ReadExactly(buffer, 0, (int)(end - start));
            var newline = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start - 1));
            if (newline >= 0)
            {
                stream.SetLength(start + newline + 1);
                return;
            }

            end = start;
        }

        stream.SetLength(0);
    }
}
