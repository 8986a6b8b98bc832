using MlServing.Cli.Profiling;
using MlServing.Inference.Monitoring;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Cli;

/// <summary><c>mlserving profile</c> and its quantile bins.</summary>
[Collection(ServerCollection.Name)]
public sealed class ProfileCommandTests
{
    private static readonly string Samples = TestRepository.SamplesPath;
    private static readonly string TrainingData = Path.Combine(Samples, WineSample.Model, "data", "train.csv");

    [Fact]
    public void QuantileBins_DistinctValues_CutIntoEqualShares()
    {
        var (edges, fractions) = QuantileBins.Compute([.. Enumerable.Range(1, 100).Select(i => (double)i)], 10);
        Assert.Equal([10d, 20, 30, 40, 50, 60, 70, 80, 90], edges);
        Assert.All(fractions, f => Assert.Equal(0.1, f, 12));
    }

    [Fact]
    public void QuantileBins_Ties_GiveFewerStrictlyAscendingEdgesWithTheRealShares()
    {
        var (edges, fractions) = QuantileBins.Compute([5, 1, 1, 1, 1, 1, 1, 2, 3, 4], 10);
        Assert.Equal([1d, 2, 3, 4], edges);
        Assert.Equal([0.6, 0.1, 0.1, 0.1, 0.1], fractions);
    }

    [Fact]
    public void QuantileBins_ConstantColumn_HasNoEdgesAndOneBin()
    {
        var (edges, fractions) = QuantileBins.Compute([7, 7, 7], 10);
        Assert.Empty(edges);
        Assert.Equal([1d], fractions);
    }

    [Fact]
    public void QuantileBins_AnyData_EdgesAscendAndFractionsAreTheSharesUnderTheEdgeClosesItsBinRule()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = random.Next(1, 400);
            var distinct = random.Next(1, 30);
            var values = Enumerable.Range(0, n).Select(_ => (double)random.Next(distinct) * (random.Next(2) == 0 ? 0.5 : 1.25)).ToArray();
            var bins = random.Next(1, 15);
            var (edges, fractions) = QuantileBins.Compute([.. values], bins);

            Assert.True(edges.Length <= bins - 1);
            Assert.Equal(edges.Length + 1, fractions.Length);
            for (var k = 1; k < edges.Length; k++)
            {
                Assert.True(edges[k] > edges[k - 1], $"trial {trial}: edges not strictly ascending: {string.Join(", ", edges)}");
            }

            for (var k = 0; k < fractions.Length; k++)
            {
                var low = k == 0 ? double.NegativeInfinity : edges[k - 1];
                var high = k == edges.Length ? double.PositiveInfinity : edges[k];
                var share = (double)values.Count(v => v > low && v <= high) / n;
                Assert.Equal(share, fractions[k], 12);
                Assert.True(fractions[k] > 0, $"trial {trial}: bin {k} is empty");
            }

            Assert.Equal(1, fractions.Sum(), 12);
        }
    }

    [Fact]
    public async Task Profile_SampleTrainingData_ReproducesTheShippedProfile()
    {
        var output = TableFiles.TempPath(".json");
        var run = (await CliRun.InvokeAsync("profile", "--repo", Samples, "--model", WineSample.Model, "--data", TrainingData, "--output", output)).Expect(0);

        Assert.Contains("133 rows", run.Error, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Samples, WineSample.Model, ReferenceProfile.FileName)), await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task Profile_ClassShares_AreTheSharesOfTheLabelsTheModelPredicts()
    {
        var output = TableFiles.TempPath(".json");
        (await CliRun.InvokeAsync("profile", "--repo", Samples, "--model", WineSample.Model, "--data", TrainingData, "--output", output, "--bins", "4")).Expect(0);
        ReferenceProfile profile;
        await using (var file = File.OpenRead(output))
        {
            profile = ReferenceProfile.Read(file);
        }

        var scored = TableFiles.TempPath(".csv");
        (await CliRun.InvokeAsync("score", "--repo", Samples, "--model", WineSample.Model, "--input", TrainingData, "--output", scored)).Expect(0);
        var (header, rows) = TableFiles.ReadCsv(scored);
        var label = Array.IndexOf(header, "label");

        Assert.Equal(133, profile.Rows);
        Assert.Equal(WineSample.Features, profile.Features.Select(f => f.Name));
        Assert.All(profile.Features, f => Assert.True(f.Edges.Length <= 3 && f.Fractions.Length == f.Edges.Length + 1));
        var classes = Assert.Single(profile.Outputs);
        Assert.Equal("label", classes.Name);
        Assert.Equal(WineSample.Labels, classes.Classes.Keys);
        foreach (var (name, share) in classes.Classes)
        {
            Assert.Equal((double)rows.Count(r => r[label] == name) / rows.Count, share, 12);
        }
    }

    [Fact]
    public async Task Profile_BadCell_StopsWithExitCode2UnlessSkipped()
    {
        var lines = (await File.ReadAllLinesAsync(TrainingData)).ToList();
        lines[5] = "oops" + lines[5][lines[5].IndexOf(',', StringComparison.Ordinal)..];
        var data = TableFiles.WriteCsv(lines[0], lines[1..], lines.Count - 1);

        var stopped = (await CliRun.InvokeAsync("profile", "--repo", Samples, "--model", WineSample.Model, "--data", data, "--output", TableFiles.TempPath(".json"))).Expect(2);
        Assert.Contains("line 6, column 'alcohol': 'oops' is not a number (FP32)", stopped.Error, StringComparison.Ordinal);

        var skipped = (await CliRun.InvokeAsync("profile", "--repo", Samples, "--model", WineSample.Model, "--data", data, "--output", TableFiles.TempPath(".json"), "--skip-invalid")).Expect(0);
        Assert.Contains("132 rows", skipped.Error, StringComparison.Ordinal);
    }
}
