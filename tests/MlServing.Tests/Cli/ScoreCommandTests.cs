using System.Globalization;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Cli;

/// <summary><c>mlserving score</c> in this process on the bundled wine-classifier: formats, column matching, bad rows, resume.</summary>
[Collection(ServerCollection.Name)]
public sealed class ScoreCommandTests
{
    private static readonly string Samples = TestRepository.SamplesPath;

    private static string[] InputColumns => ["id", .. WineSample.Features, "note"];

    private static Task<CliRun> ScoreAsync(string input, string output, params string[] more) =>
        CliRun.InvokeAsync(["score", "--repo", Samples, "--model", WineSample.Model, "--input", input, "--output", output, .. more]);

    [Fact]
    public async Task Score_Csv_WritesInputColumnsThenPredictionsMatchingScikitLearn()
    {
        var input = WineSample.WriteCsv(InputColumns, repeat: 3);
        var output = TableFiles.TempPath(".csv");
        var run = (await ScoreAsync(input, output, "--batch-size", "5")).Expect(0);

        var (inHeader, inRows) = TableFiles.ReadCsv(input);
        var (header, rows) = TableFiles.ReadCsv(output);
        Assert.Equal([.. inHeader, "label", .. WineSample.Labels.Select(l => "probability_" + l)], header);
        Assert.Equal(inRows.Count, rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            Assert.Equal(inRows[r], rows[r][..inHeader.Length]);
        }

        WineSample.AssertPredictions(header, rows);
        Assert.Contains("scored 24 rows", run.Error, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(output);
        Assert.Contains("\"row 0, \"\"quoted\"\"\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_CsvToCsv_CopiesEachInputLineAsItWasWritten_QuotesCrLfAndLineBreaksIncluded()
    {
        var rows = WineSample.Rows;
        string[] notes = ["\"plain\"", "\"two\nlines, \"\"quoted\"\"\"", "bare", "\"\""];
        var lines = new List<string>();
        for (var r = 0; r < rows.Length; r++)
        {
            // Every other row quotes its first feature: the reader unescapes it for the model, the output keeps the quotes.
            var cells = rows[r].Select((v, j) => j == 0 && r % 2 == 1 ? $"\"{WineSample.Cell(v)}\"" : WineSample.Cell(v));
            lines.Add(string.Join(',', [r.ToString(CultureInfo.InvariantCulture), .. cells, notes[r % notes.Length]]));
        }

        var input = TableFiles.TempPath(".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        await File.WriteAllTextAsync(input, string.Join("\r\n", [string.Join(',', InputColumns.Select(WineSample.Quote)), .. lines]) + "\r\n");
        var output = TableFiles.TempPath(".csv");

        (await ScoreAsync(input, output, "--batch-size", "3")).Expect(0);

        var text = await File.ReadAllTextAsync(output);
        foreach (var line in lines)
        {
            Assert.Contains(line + ",", text, StringComparison.Ordinal);
        }

        var (inHeader, inRows) = TableFiles.ReadCsv(input);
        var (header, outRows) = TableFiles.ReadCsv(output);
        Assert.Equal(inRows.Count, outRows.Count);
        for (var r = 0; r < outRows.Count; r++)
        {
            Assert.Equal(inRows[r], outRows[r][..inHeader.Length]);
        }

        Assert.Equal("two\nlines, \"quoted\"", outRows[1][^(WineSample.Labels.Length + 2)]);
        WineSample.AssertPredictions(header, outRows);
    }

    [Fact]
    public async Task Score_TsvToCsv_EscapesTheCellsTheCsvNeedsToQuote()
    {
        var rows = WineSample.Rows;
        var lines = rows.Select((row, r) => string.Join('\t', [r.ToString(CultureInfo.InvariantCulture), .. row.Select(WineSample.Cell), $"a, \"b\" {r}"])).ToList();
        var input = TableFiles.WriteCsv(string.Join('\t', InputColumns), lines, lines.Count, TableFiles.TempPath(".tsv"));
        var output = TableFiles.TempPath(".csv");

        (await ScoreAsync(input, output)).Expect(0);

        var (header, outRows) = TableFiles.ReadCsv(output);
        Assert.Equal(rows.Length, outRows.Count);
        for (var r = 0; r < outRows.Count; r++)
        {
            Assert.Equal(r.ToString(CultureInfo.InvariantCulture), outRows[r][0]);
            Assert.Equal($"a, \"b\" {r}", outRows[r][InputColumns.Length - 1]);
        }

        WineSample.AssertPredictions(header, outRows);
    }

    [Fact]
    public async Task Score_ColumnsShuffledWithExtraColumns_MatchesFeaturesByName()
    {
        var shuffled = InputColumns.Reverse().ToArray();
        var input = WineSample.WriteCsv(shuffled);
        var output = TableFiles.TempPath(".csv");
        (await ScoreAsync(input, output)).Expect(0);

        var (header, rows) = TableFiles.ReadCsv(output);
        Assert.Equal(shuffled, header[..shuffled.Length]);
        WineSample.AssertPredictions(header, rows);
    }

    [Fact]
    public async Task Score_ParquetRoundTrips_CsvToParquetToParquetToCsv()
    {
        var csv = WineSample.WriteCsv(InputColumns, repeat: 2);
        var parquet = TableFiles.TempPath(".parquet");
        (await ScoreAsync(csv, parquet, "--batch-size", "4", "--row-group-size", "8")).Expect(0);
        var (header, rows, groups) = await TableFiles.ReadParquetAsync(parquet);
        Assert.Equal(16, rows.Count);
        Assert.Equal(2, groups);
        WineSample.AssertPredictions(header, rows);
        var (_, csvRows) = TableFiles.ReadCsv(csv);
        Assert.Equal(csvRows[5], rows[5][..csvRows[5].Length]);

        // Parquet in: typed columns pass through as they are (the predictions of the first run too, renamed).
        var again = TableFiles.TempPath(".parquet");
        (await ScoreAsync(parquet, again)).Expect(0);
        var (againHeader, againRows, _) = await TableFiles.ReadParquetAsync(again);
        Assert.Equal([.. header, "predicted_label", .. WineSample.Labels.Select(l => "predicted_probability_" + l)], againHeader);
        Assert.Equal(rows[7], againRows[7][..header.Length]);

        var back = TableFiles.TempPath(".csv");
        (await ScoreAsync(again, back)).Expect(0);
        var (backHeader, backRows) = TableFiles.ReadCsv(back);
        Assert.Equal(againRows[3], backRows[3][..againHeader.Length]);
        Assert.Equal(backRows[3][Array.IndexOf(backHeader, "label")], backRows[3][Array.IndexOf(backHeader, "predicted_label")]);
    }

    [Fact]
    public async Task Score_BadCell_StopsWithExitCode2NamingLineAndColumn_AfterWritingTheRowsBefore()
    {
        var input = WineSample.WriteCsv(InputColumns, repeat: 2);
        var lines = await File.ReadAllLinesAsync(input);
        var cells = lines[6].Split(',');
        cells[2] = "n/a"; // line 7 (header = line 1), the column of the second feature (the first column is "id")
        lines[6] = string.Join(',', cells);
        await File.WriteAllLinesAsync(input, lines);
        var output = TableFiles.TempPath(".csv");

        var run = (await ScoreAsync(input, output, "--batch-size", "4")).Expect(2);

        Assert.Contains($"line 7, column '{WineSample.Features[1]}': 'n/a' is not a number (FP32)", run.Error, StringComparison.Ordinal);
        var (_, rows) = TableFiles.ReadCsv(output);
        Assert.Equal(5, rows.Count);
    }

    [Fact]
    public async Task Score_SkipInvalid_SkipsAndListsBadRows()
    {
        var input = WineSample.WriteCsv(InputColumns, repeat: 2);
        var lines = (await File.ReadAllLinesAsync(input)).ToList();
        lines[3] = lines[3].Replace(lines[3].Split(',')[1], string.Empty, StringComparison.Ordinal);
        lines[9] = lines[9] + ",extra";
        await File.WriteAllLinesAsync(input, lines);
        var output = TableFiles.TempPath(".csv");

        var run = (await ScoreAsync(input, output, "--skip-invalid", "--batch-size", "4")).Expect(0);

        Assert.Contains($"skipped line 4, column '{WineSample.Features[0]}': the cell is empty", run.Error, StringComparison.Ordinal);
        Assert.Contains("skipped line 10: the row has 16 columns, the header 15", run.Error, StringComparison.Ordinal);
        Assert.Contains("skipped 2 invalid row(s)", run.Error, StringComparison.Ordinal);
        var (header, rows) = TableFiles.ReadCsv(output);
        Assert.Equal(14, rows.Count);
        Assert.DoesNotContain(rows, r => r[0] is "2" or "8");
        WineSample.AssertPredictions(header, rows[..2]);
    }

    [Fact]
    public async Task Score_ModelWithoutFeatures_NeedsColumnsNamedByPosition()
    {
        using var repo = new TestRepository().AddModelFolder(Samples, WineSample.Model);
        File.WriteAllText(Path.Combine(repo.Path, WineSample.Model, "config.json"), """{"labels": ["class_0", "class_1", "class_2"]}""");
        var named = WineSample.WriteCsv(WineSample.Features);
        var run = (await CliRun.InvokeAsync("score", "--repo", repo.Path, "--model", WineSample.Model, "--input", named, "--output", TableFiles.TempPath(".csv"))).Expect(1);
        Assert.Contains("has no 'features' in config.json, so its 13 input columns must be named 0 … 12", run.Error, StringComparison.Ordinal);

        var byPosition = TableFiles.WriteCsv(
            string.Join(',', Enumerable.Range(0, 13).Reverse()),
            [.. WineSample.Rows.Select(r => string.Join(',', r.Reverse().Select(WineSample.Cell)))],
            8);
        var output = TableFiles.TempPath(".csv");
        (await CliRun.InvokeAsync("score", "--repo", repo.Path, "--model", WineSample.Model, "--input", byPosition, "--output", output)).Expect(0);
        var (header, rows) = TableFiles.ReadCsv(output);
        WineSample.AssertPredictions(header, rows);
    }

    [Fact]
    public async Task Score_MissingFeatureColumn_Exits1NamingIt()
    {
        var input = WineSample.WriteCsv([.. WineSample.Features.Where(f => f != "hue")]);
        var run = (await ScoreAsync(input, TableFiles.TempPath(".csv"))).Expect(1);
        Assert.Contains("lacks the column(s) 'hue'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_MissingFileOrUnknownModel_Exits1WithAClearMessage()
    {
        var missing = (await ScoreAsync("/nonexistent/in.csv", TableFiles.TempPath(".csv"))).Expect(1);
        Assert.Contains("error: input file /nonexistent/in.csv does not exist", missing.Error, StringComparison.Ordinal);

        var input = WineSample.WriteCsv(InputColumns);
        var unknown = (await CliRun.InvokeAsync("score", "--repo", Samples, "--model", "nope", "--input", input, "--output", TableFiles.TempPath(".csv"))).Expect(1);
        Assert.Contains("error: model 'nope' is not in the repository", unknown.Error, StringComparison.Ordinal);

        var format = (await ScoreAsync(input, TableFiles.TempPath(".xlsx"))).Expect(1);
        Assert.Contains("unknown file type '.xlsx'", format.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_EmptyInput_WritesTheHeaderWithEveryPredictionColumn()
    {
        var input = TableFiles.WriteCsv(string.Join(',', InputColumns.Select(WineSample.Quote)), [], 0);
        var output = TableFiles.TempPath(".csv");
        (await ScoreAsync(input, output)).Expect(0);
        var (header, rows) = TableFiles.ReadCsv(output);
        Assert.Equal([.. InputColumns, "label", .. WineSample.Labels.Select(l => "probability_" + l)], header);
        Assert.Empty(rows);
    }

    [Fact]
    public async Task Score_Resume_SkipsTheRowsAlreadyWrittenAndAppends_EvenAfterACutLine()
    {
        var input = WineSample.WriteCsv(InputColumns, repeat: 4);
        var full = TableFiles.TempPath(".csv");
        (await ScoreAsync(input, full, "--batch-size", "5")).Expect(0);
        var expected = await File.ReadAllBytesAsync(full);

        // What a hard kill could leave: 11 whole rows and half of the 12th.
        var lines = await File.ReadAllLinesAsync(full);
        var partial = TableFiles.TempPath(".csv");
        await File.WriteAllTextAsync(partial, string.Join('\n', lines[..12]) + "\n" + lines[12][..20]);
        var run = (await ScoreAsync(input, partial, "--resume", "--batch-size", "5")).Expect(0);

        Assert.Contains("holds 11 scored rows", run.Error, StringComparison.Ordinal);
        Assert.Equal(expected, await File.ReadAllBytesAsync(partial));
    }

    [Fact]
    public async Task Score_ResumeIntoAnOutputWithOtherColumns_Exits1()
    {
        var input = WineSample.WriteCsv(InputColumns);
        var output = TableFiles.TempPath(".csv");
        await File.WriteAllTextAsync(output, "a,b\n1,2\n");
        var run = (await ScoreAsync(input, output, "--resume")).Expect(1);
        Assert.Contains("cannot resume", run.Error, StringComparison.Ordinal);
        Assert.Equal("a,b\n1,2\n", await File.ReadAllTextAsync(output));
    }
}
