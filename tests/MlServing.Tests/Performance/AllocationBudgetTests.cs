using System.Globalization;
using System.Text;
using MlServing.Tests.Infrastructure;
using MlServing.Tests.Monitoring;

namespace MlServing.Tests.Performance;

/// <summary>Runs alone (no other test allocates meanwhile), so the process-wide allocation counter is this test's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation";
}

/// <summary>
/// The request path's allocation budget (bytes per request, the whole endpoint including the batcher and ONNX
/// Runtime call): small, and independent of the row width because the payload lives in pooled buffers.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class AllocationBudgetTests
{
    private const long BudgetBytes = 12 * 1024;
    private const long WidthSlackBytes = 1024;
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public AllocationBudgetTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private static async Task<long> BytesPerRequestAsync(InProcessHost host, string route, byte[] body, string? model)
    {
        using var response = new MemoryStream(new byte[1 << 16], 0, 1 << 16, writable: true, publiclyVisible: true);
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(200, await host.SendAsync(route, body, response, model));
        }

        const int count = 1000;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            await host.SendAsync(route, body, response, model);
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / count;
    }

    private static string Row(int width) =>
        string.Join(",", Enumerable.Range(0, width).Select(i => (i * 0.37).ToString("F4", CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("/predict", "none")]
    [InlineData("/v2/models/{name}/infer", "none")]
    [InlineData("/predict", "memory")]
    public async Task RequestPath_AllocatesWithinBudget_WhateverTheRowWidth(string route, string cache)
    {
        await using var host = await InProcessHost.StartAsync(TestRepository.FixturesPath, new Dictionary<string, string?> { ["MlServing:Cache:Provider"] = cache });
        byte[] Body(int width) => Encoding.UTF8.GetBytes(route == "/predict"
            ? $$"""{"model":"dynamic-hw","instances":[[[[{{Row(width)}}]]]]}"""
            : $$"""{"inputs":[{"name":"image","shape":[1,1,1,{{width}}],"datatype":"FP32","data":[{{Row(width)}}]}]}""");

        var narrow = await BytesPerRequestAsync(host, route, Body(16), "dynamic-hw");
        var wide = await BytesPerRequestAsync(host, route, Body(8192), "dynamic-hw");
        _output.WriteLine($"{route} cache={cache}: {narrow} B per request at width 16, {wide} B at width 8192");

        Assert.True(narrow < BudgetBytes, $"{route}: {narrow} B per request at width 16 (budget {BudgetBytes})");
        Assert.True(wide < BudgetBytes, $"{route}: {wide} B per request at width 8192 (budget {BudgetBytes})");
        Assert.True(Math.Abs(wide - narrow) < WidthSlackBytes, $"{route}: {narrow} B at width 16 but {wide} B at width 8192: something copies the payload");
    }

    [Fact]
    public async Task Monitoring_CountsDriftAndPredictions_WithoutAllocatingPerRow()
    {
        var data = await WineTrainingData.GetAsync();
        using var repo = WineModel.Repository();
        byte[] Body(int rows) => Encoding.UTF8.GetBytes(WineModel.PredictBody(data.Rows.Take(rows)));
        async Task<(long One, long Many)> MeasureAsync(bool monitoring)
        {
            await using var host = await InProcessHost.StartAsync(repo.Path, new Dictionary<string, string?>
            {
                ["MlServing:Cache:Provider"] = "none",
                ["MlServing:Monitoring:Enabled"] = monitoring ? "true" : "false",
            });
            return (await BytesPerRequestAsync(host, "/predict", Body(1), null), await BytesPerRequestAsync(host, "/predict", Body(64), null));
        }

        var off = await MeasureAsync(monitoring: false);
        var on = await MeasureAsync(monitoring: true);

        // Per request, monitoring may cost a few hundred bytes at most; per row, nothing.
        Assert.True(on.One - off.One < 512, $"monitoring adds {on.One - off.One} B to a 1-row request ({off.One} → {on.One})");
        Assert.True(Math.Abs((on.Many - off.Many) - (on.One - off.One)) < 512, $"monitoring adds {on.One - off.One} B to a 1-row request but {on.Many - off.Many} B to a 64-row one: it allocates per row");
    }
}
