using System.Globalization;
using FsCheck.Fluent;
using MlServing.Cli.Tables;
using MlServing.Tests.Infrastructure;
using nietras.SeparatedValues;

namespace MlServing.Tests.Cli;

/// <summary>What the CLI's CSV writer writes, Sep reads back as it was: any text in any cell, numbers, both separators.</summary>
public sealed class CsvTextWriterTests
{
    [Fact]
    public async Task AnyCells_ReadBackBySep_AreTheCellsWritten()
    {
        var characters = Gen.Elements('a', 'Z', '0', ' ', ',', '\t', '"', '\r', '\n', ';', 'é', '\u2603');
        var cell = characters.ArrayOf().Select(chars => new string(chars));
        var rows = cell.ArrayOf().Where(r => r.Length > 0).ArrayOf().Where(r => r.Length > 0);
        var property = Prop.ForAll(Arb.From(rows), Arb.From(Gen.Elements(',', '\t')), (table, separator) =>
        {
            var width = table[0].Length;
            var text = new StringWriter();
            var csv = new CsvTextWriter(text, separator);
            foreach (var row in table)
            {
                for (var c = 0; c < width; c++)
                {
                    csv.Text(c < row.Length ? row[c] : string.Empty);
                }

                csv.EndRow();
            }

            using var reader = Sep.Reader(o => o with { Sep = new Sep(separator), HasHeader = false, Unescape = true }).FromText(text.ToString());
            var r = 0;
            foreach (var read in reader)
            {
                Assert.Equal(width, read.ColCount);
                for (var c = 0; c < width; c++)
                {
                    Assert.Equal(c < table[r].Length ? table[r][c] : string.Empty, read[c].ToString());
                }

                r++;
            }

            Assert.Equal(table.Length, r);
        });

        await Properties.CheckAsync(property, 2_000, seed: 24_680);
    }

    [Fact]
    public void Numbers_AreInvariantAndRoundTrip_AndRawCellsAreWrittenAsTheyAre()
    {
        var text = new StringWriter();
        var csv = new CsvTextWriter(text, ',');
        csv.Raw("1,\"a,b\"");
        csv.Number(0.1f);
        csv.Number(-1.5e-7);
        csv.Number(long.MinValue);
        csv.Number(float.NaN);
        csv.EndRow();

        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"1,\"a,b\",0.1,-1.5E-07,{long.MinValue},NaN\n"), text.ToString());
    }
}
