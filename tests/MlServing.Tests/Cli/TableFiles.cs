using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using Parquet;

namespace MlServing.Tests.Cli;

/// <summary>Writes test inputs and reads outputs back (CSV with Sep, Parquet with Parquet.Net), as rows of text.</summary>
public static class TableFiles
{
    public static string TempPath(string extension) =>
        Path.Combine(Path.GetTempPath(), "mlserving-cli-tests", Guid.NewGuid().ToString("N") + extension);

    /// <summary>Writes a CSV: the header, then <paramref name="rows"/> rows cycling through <paramref name="lines"/> (a fast writer for large files).</summary>
    public static string WriteCsv(string header, IReadOnlyList<string> lines, long rows, string? path = null)
    {
        path ??= TempPath(".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write(header);
        writer.Write('\n');
        for (long r = 0; r < rows; r++)
        {
            writer.Write(lines[(int)(r % lines.Count)]);
            writer.Write('\n');
        }

        return path;
    }

    /// <summary>A CSV's header and rows, cells unescaped.</summary>
    public static (string[] Header, List<string[]> Rows) ReadCsv(string path)
    {
        using var reader = Sep.Reader(o => o with { Sep = new Sep(','), Unescape = true }).FromFile(path);
        var header = reader.Header.ColNames.ToArray();
        var rows = new List<string[]>();
        foreach (var row in reader)
        {
            var cells = new string[row.ColCount];
            for (var c = 0; c < cells.Length; c++)
            {
                cells[c] = row[c].ToString();
            }

            rows.Add(cells);
        }

        return (header, rows);
    }

    /// <summary>A Parquet file's column names and rows, every value as invariant text (null as empty).</summary>
    public static async Task<(string[] Header, List<string[]> Rows, int RowGroups)> ReadParquetAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path, null, CancellationToken.None);
        var fields = reader.Schema.GetDataFields();
        var rows = new List<string[]>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.RowCount;
            var columns = new Array[fields.Length];
            for (var c = 0; c < fields.Length; c++)
            {
                columns[c] = await MlServing.Cli.Tables.ParquetColumns.ReadAsync(group, fields[c], count, CancellationToken.None);
            }

            for (var r = 0; r < count; r++)
            {
                var cells = new string[fields.Length];
                for (var c = 0; c < cells.Length; c++)
                {
                    cells[c] = MlServing.Cli.Tables.ParquetColumns.FormatValue(columns[c].GetValue(r)) ?? string.Empty;
                }

                rows.Add(cells);
            }
        }

        return ([.. fields.Select(f => f.Name)], rows, reader.RowGroupCount);
    }

    public static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
