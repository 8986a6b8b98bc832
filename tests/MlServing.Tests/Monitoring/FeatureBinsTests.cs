using FsCheck.Fluent;
using MlServing.Inference.Monitoring;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Monitoring;

/// <summary>
/// A value's bin is the first edge it does not exceed: the branch-free count agrees with a binary search for any
/// ascending edges (ties included) and any value, below, between, on and above the edges.
/// </summary>
public sealed class FeatureBinsTests
{
    private static int FirstEdgeNotExceeded(double[] edges, double value)
    {
        int low = 0, high = edges.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (value <= edges[middle])
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    [Fact]
    public async Task Bin_IsTheFirstEdgeNotExceeded_ForAnyAscendingEdgesAndValue()
    {
        var small = Gen.Choose(-20, 20).Select(i => i / 4.0);
        var cases = small.ArrayOf().Select(e => e.OrderBy(x => x).ToArray()).Zip(small);
        var property = Prop.ForAll(Arb.From(cases), c =>
        {
            var (edges, value) = c;
            Assert.Equal(FirstEdgeNotExceeded(edges, value), FeatureBins.Bin(edges, value));
            Assert.Equal(FirstEdgeNotExceeded(edges, value), FeatureBins.Bin(Array.ConvertAll(edges, e => (float)e), (float)value));
        });

        await Properties.CheckAsync(property, 3_000, seed: 12_012);
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(1.0, 0)]
    [InlineData(1.5, 1)]
    [InlineData(2.0, 1)]
    [InlineData(2.5, 3)]
    [InlineData(3.0, 3)]
    [InlineData(9.0, 4)]
    public void Bin_OnTiesAndBounds(double value, int bin) => Assert.Equal(bin, FeatureBins.Bin([1.0, 2.0, 2.0, 3.0], value));
}
