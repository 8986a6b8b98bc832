using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Cli;

/// <summary>The built CLI as a real child process: flat memory over file size, Ctrl-C and --resume, scoring through a server.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class CliProcessTests
{
    private static readonly string Samples = TestRepository.SamplesPath;

    private static string[] InputColumns => ["id", .. WineSample.Features];

    private static string[] Lines(int count) =>
        [.. Enumerable.Range(0, count).Select(r => r.ToString(CultureInfo.InvariantCulture) + "," + string.Join(',', WineSample.Rows[r % 8].Select(WineSample.Cell)))];

    private static string Header => string.Join(',', InputColumns.Select(WineSample.Quote));

    [Fact]
    public async Task Score_MillionRows_PeakMemoryWithinTwentyPercentOfHundredThousand()
    {
        var lines = Lines(1000);
        var small = TableFiles.WriteCsv(Header, lines, 100_000);
        var large = TableFiles.WriteCsv(Header, lines, 1_000_000);
        try
        {
            var smallPeak = await PeakMemoryAsync(small);
            var largePeak = await PeakMemoryAsync(large);
            Assert.True(largePeak <= smallPeak * 1.2, $"peak memory {largePeak:N0} kB for 1,000,000 rows is more than 20 % over {smallPeak:N0} kB for 100,000 rows");
        }
        finally
        {
            File.Delete(small);
            File.Delete(large);
        }
    }

    [Fact]
    public async Task Score_KeepsItsJitProfileInTheCacheFolder_AndAnUnwritableOneDoesNotStopIt()
    {
        var input = TableFiles.WriteCsv(Header, Lines(10), 10);
        var cache = Path.Combine(Path.GetTempPath(), "mlserving-cli-tests", "cache-" + Guid.NewGuid().ToString("N"));
        var blocked = cache + "-file";
        Directory.CreateDirectory(cache);
        await File.WriteAllTextAsync(blocked, "a file where the cache folder should be");
        try
        {
            foreach (var (folder, profiled) in new[] { (cache, true), (blocked, false) })
            {
                await using var cli = CliProcess.Start(
                    new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = folder },
                    "score", "--repo", Samples, "--model", WineSample.Model, "--input", input, "--output", TableFiles.TempPath(".csv"));
                Assert.True(await cli.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, cli.Error);
                // The runtime ignores the profile on a single core.
                Assert.Equal(profiled && Environment.ProcessorCount > 1, File.Exists(Path.Combine(folder, "mlserving", "jit", "score.jitprofile")));
            }
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
            File.Delete(blocked);
        }
    }

    private static async Task<long> PeakMemoryAsync(string input)
    {
        var output = TableFiles.TempPath(".csv");
        await using var cli = CliProcess.Start("score", "--repo", Samples, "--model", WineSample.Model, "--input", input, "--output", output, "--threads", "1", "--report-memory");
        var code = await cli.WaitForExitAsync(TimeSpan.FromMinutes(4));
        try
        {
            Assert.True(code == 0, cli.Error);
            var line = cli.Error.Split('\n').Single(l => l.StartsWith("peak-memory-kb: ", StringComparison.Ordinal));
            var rows = new FileInfo(input).Length;
            Console.WriteLine($"{Path.GetFileName(input)} ({rows:N0} bytes): {line}");
            return long.Parse(line["peak-memory-kb: ".Length..], CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData(".csv")]
    [InlineData(".parquet")]
    public async Task Score_CtrlC_LeavesAValidPartialOutput_AndResumeCompletesItExactly(string extension)
    {
        const int Rows = 4000;
        var lines = Lines(Rows);
        var input = TableFiles.WriteCsv(Header, lines, Rows);
        var expected = TableFiles.TempPath(extension);
        string[] args(string from, string to, params string[] more) => ["score", "--repo", Samples, "--model", WineSample.Model, "--input", from, "--output", to, "--batch-size", "256", "--row-group-size", "512", .. more];
        (await CliRun.InvokeAsync(args(input, expected))).Expect(0);

        // The input comes through a pipe that delivers 1,500 rows and then nothing more: when the first progress line
        // is printed the run is certainly mid-file, whatever the machine's speed.
        var fifo = TableFiles.TempPath(".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        Assert.Equal(0, MakeFifo(fifo, Convert.ToUInt32("600", 8)));
        var output = TableFiles.TempPath(extension);
        await using var cli = CliProcess.Start(args(fifo, output, "--progress-interval", "0"));
        await using (var pipe = await Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write)).WaitAsync(TimeSpan.FromSeconds(60)))
        {
            var head = Encoding.UTF8.GetBytes(Header + "\n" + string.Join('\n', lines[..1500]) + "\n");
            await pipe.WriteAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            await pipe.FlushAsync();
            await cli.WaitForLineAsync(l => l.StartsWith("progress: ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            cli.Interrupt();
            Assert.Equal(130, await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.Contains("run the same command with --resume", cli.Error, StringComparison.Ordinal);
        var (fullHeader, fullRows) = await ReadAsync(expected);
        var (partialHeader, partialRows) = await ReadAsync(output);
        Assert.Equal(fullHeader, partialHeader);
        Assert.InRange(partialRows.Count, 256, 1500);
        Assert.Equal(0, partialRows.Count % 256);
        for (var r = 0; r < partialRows.Count; r++)
        {
            Assert.Equal(fullRows[r], partialRows[r]);
        }

        var resumed = (await CliRun.InvokeAsync(args(input, output, "--resume"))).Expect(0);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"holds {partialRows.Count:N0} scored rows"), resumed.Error, StringComparison.Ordinal);
        if (extension == ".csv")
        {
            Assert.Equal(await File.ReadAllBytesAsync(expected), await File.ReadAllBytesAsync(output));
        }
        else
        {
            var (resumedHeader, resumedRows) = await ReadAsync(output);
            Assert.Equal(fullHeader, resumedHeader);
            Assert.Equal(fullRows, resumedRows);
        }
    }

    private static async Task<(string[] Header, List<string[]> Rows)> ReadAsync(string path)
    {
        if (path.EndsWith(".csv", StringComparison.Ordinal))
        {
            return TableFiles.ReadCsv(path);
        }

        var (header, rows, _) = await TableFiles.ReadParquetAsync(path);
        return (header, rows);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("binary")]
    [InlineData("grpc")]
    public async Task Score_ThroughARunningServer_WritesWhatInProcessScoringWrites(string transport)
    {
        var input = TableFiles.WriteCsv(Header, Lines(600), 600);
        var local = TableFiles.TempPath(".csv");
        (await CliRun.InvokeAsync("score", "--repo", Samples, "--model", WineSample.Model, "--input", input, "--output", local)).Expect(0);

        var grpcPort = ServiceProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var server = ServiceProcess.Start(new Dictionary<string, string?> { ["MlServing__ModelRepository__Path"] = Samples, ["MlServing__Grpc__Port"] = grpcPort });
        using var http = new HttpClient();
        await server.WaitForAsync(http, "/health/ready");
        var remote = TableFiles.TempPath(".csv");
        var run = (await CliRun.InvokeAsync(
            "score", "--repo", Samples, "--model", WineSample.Model, "--input", input, "--output", remote, "--url", server.BaseAddress.ToString(),
            "--grpc-url", "http://127.0.0.1:" + grpcPort, "--transport", transport, "--api-key", "test-key", "--batch-size", "100")).Expect(0);

        Assert.Contains($"at {server.BaseAddress} ({transport})", run.Error, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(remote));
    }

    [Fact]
    public async Task Score_ThroughAServerWithoutTheModel_Exits1NamingIt()
    {
        await using var server = ServiceProcess.Start(new Dictionary<string, string?> { ["MlServing__ModelRepository__Path"] = Samples });
        using var http = new HttpClient();
        await server.WaitForAsync(http, "/health/ready");
        var input = TableFiles.WriteCsv(Header, Lines(3), 3);
        var run = (await CliRun.InvokeAsync("score", "--model", "nope", "--input", input, "--output", TableFiles.TempPath(".csv"), "--url", server.BaseAddress.ToString())).Expect(1);
        Assert.Contains("cannot read model 'nope': 404", run.Error, StringComparison.Ordinal);
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);
}
