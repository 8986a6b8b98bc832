using System.Globalization;
using FsCheck.Fluent;
using MlServing.Cli.Tables;
using MlServing.Inference.Tensors;
using MlServing.Tests.Infrastructure;
using nietras.SeparatedValues;

namespace MlServing.Tests.Cli;

/// <summary>
/// A CSV cell parsed the fast way (Sep's float parser) gives the same element, or the same error, as the general
/// parser given the cell's text: for numbers in every notation, padded cells, non-finite values and garbage.
/// </summary>
public sealed class FeatureParserTests
{
    private static readonly string[] Cells =
    [
        "1.5", "-0.25", "17.99000000000000", "1e-5", "-3.4E+38", "3.5e38", "0", "-0", "+2.5", ".5", "5.", "123456789012345678901234567890",
        " 1.5", "1.5 ", "\" 2.5 \"", "\"1,5\"", "", " ", "abc", "1.5x", "1..5", "--1", "NaN", "nan", "Infinity", "-Infinity", "inf", "1e400", "0x10",
    ];

    [Theory]
    [InlineData(TensorDataType.Float32, false)]
    [InlineData(TensorDataType.Float32, true)]
    [InlineData(TensorDataType.Float64, false)]
    [InlineData(TensorDataType.Float64, true)]
    [InlineData(TensorDataType.Int64, false)]
    public void CsvCell_ParsesLikeItsText(TensorDataType type, bool allowNonFinite) =>
        AssertParsesLikeText(new FeatureParser(type, allowNonFinite), Cells);

    [Fact]
    public async Task AnyNumberInAnyNotation_ParsesLikeItsText()
    {
        var formats = new[] { "R", "E10", "F6", "G9", "0.###############" };
        var numbers = ArbMap.Default.GeneratorFor<double>().Zip(Gen.Elements(formats))
            .Select(p => p.Item1.ToString(p.Item2, CultureInfo.InvariantCulture));
        var float32 = new FeatureParser(TensorDataType.Float32, allowNonFinite: false);
        var float64 = new FeatureParser(TensorDataType.Float64, allowNonFinite: false);
        var property = Prop.ForAll(Arb.From(numbers), text =>
        {
            AssertParsesLikeText(float32, [text]);
            AssertParsesLikeText(float64, [text]);
        });

        await Properties.CheckAsync(property, 2_000, seed: 11_011);
    }

    private static void AssertParsesLikeText(FeatureParser parser, string[] cells)
    {
        var csv = "x\n" + string.Join("\n", cells.Select(c => c.Length == 0 ? "\"\"" : c)) + "\n";
        using var reader = Sep.Reader(o => o with { Unescape = true, HasHeader = true }).FromText(csv);
        var fast = new byte[parser.ElementSize];
        var general = new byte[parser.ElementSize];
        var rows = 0;
        foreach (var row in reader)
        {
            var cell = row[0];
            var text = cell.ToString();
            var fastError = parser.Parse(cell, fast);
            var generalError = parser.Parse(text.AsSpan(), general);

            Assert.True(generalError == fastError, $"'{text}': fast '{fastError}', general '{generalError}'");
            if (generalError is null)
            {
                Assert.True(fast.AsSpan().SequenceEqual(general), $"'{text}': fast {Convert.ToHexString(fast)}, general {Convert.ToHexString(general)}");
            }

            rows++;
        }

        Assert.Equal(cells.Length, rows);
    }
}
