using System.Text;
using System.Text.Json;
using MlServing.Inference.Tensors;

namespace MlServing.Tests.Tensors;

public sealed class JsonTensorReaderTests
{
    private static (string? Error, NestedShape Shape, PooledTensor Tensor) Read(string json, TensorDataType type, bool allowNonFinite = false)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        using var builder = new PooledTensorBuilder(type);
        var error = JsonTensorReader.ReadValue(ref reader, builder, allowNonFinite, out var shape);
        return (error, shape, builder.Build("t", error is null ? shape.ToArray() : []));
    }

    [Theory]
    [InlineData("1.5", 0, "")]
    [InlineData("[1, 2, 3]", 1, "3")]
    [InlineData("[[1, 2, 3], [4, 5, 6]]", 2, "2,3")]
    [InlineData("[[[1], [2]], [[3], [4]]]", 3, "2,2,1")]
    [InlineData("[]", 1, "0")]
    public void ReadValue_NestedArrays_ReportTheirShape(string json, int rank, string dims)
    {
        var (error, shape, tensor) = Read(json, TensorDataType.Float32);
        using (tensor)
        {
            Assert.Null(error);
            Assert.Equal(rank, shape.Rank);
            Assert.Equal(dims, string.Join(',', shape.ToArray()));
        }
    }

    [Theory]
    [InlineData("[[1, 2], [3]]")]
    [InlineData("[1, [2]]")]
    [InlineData("[[1], 2]")]
    [InlineData("[[[1, 2]], [[3]]]")]
    public void ReadValue_RaggedArrays_AreRejected(string json)
    {
        var (error, _, tensor) = Read(json, TensorDataType.Float32);
        tensor.Dispose();
        Assert.NotNull(error);
        Assert.Contains("ragged", error);
    }

    [Fact]
    public void ReadValue_Float32_ParsesExactlyAsSinglePrecision()
    {
        var (error, _, tensor) = Read("[0.1, 16777217, -3.4028235E+38]", TensorDataType.Float32);
        using (tensor)
        {
            Assert.Null(error);
            Assert.Equal([0.1f, 16777216f, float.MinValue], tensor.AsSpan<float>().ToArray());
        }
    }

    [Theory]
    [InlineData("[1e39]", TensorDataType.Float32)]
    [InlineData("[1e400]", TensorDataType.Float64)]
    [InlineData("[70000]", TensorDataType.Float16)]
    [InlineData("[128]", TensorDataType.Int8)]
    [InlineData("[-1]", TensorDataType.UInt8)]
    [InlineData("[65536]", TensorDataType.UInt16)]
    [InlineData("[2147483648]", TensorDataType.Int32)]
    [InlineData("[1.5]", TensorDataType.Int64)]
    [InlineData("[18446744073709551616]", TensorDataType.UInt64)]
    [InlineData("[2]", TensorDataType.Bool)]
    [InlineData("[\"a\"]", TensorDataType.Float32)]
    [InlineData("[1]", TensorDataType.Bytes)]
    [InlineData("[null]", TensorDataType.Float32)]
    [InlineData("[{}]", TensorDataType.Float32)]
    public void ReadValue_ValuesOutsideTheType_AreRejectedWithTheirIndex(string json, TensorDataType type)
    {
        var (error, _, tensor) = Read(json, type);
        tensor.Dispose();
        Assert.NotNull(error);
        Assert.StartsWith("element 0:", error);
    }

    [Fact]
    public void ReadValue_IntegerEdges_RoundTrip()
    {
        var (error, _, tensor) = Read("[18446744073709551615, 0]", TensorDataType.UInt64);
        using (tensor)
        {
            Assert.Null(error);
            Assert.Equal([ulong.MaxValue, 0UL], tensor.AsSpan<ulong>().ToArray());
        }

        var (error2, _, tensor2) = Read("[-9223372036854775808, 9223372036854775807, 3.0]", TensorDataType.Int64);
        using (tensor2)
        {
            Assert.Null(error2);
            Assert.Equal([long.MinValue, long.MaxValue, 3L], tensor2.AsSpan<long>().ToArray());
        }
    }

    [Fact]
    public void ReadValue_NonFiniteStrings_NeedTheModelToAllowThem()
    {
        var (rejected, _, t1) = Read("[\"NaN\"]", TensorDataType.Float32);
        t1.Dispose();
        Assert.Contains("allowNonFinite", rejected);

        var (error, _, tensor) = Read("[\"NaN\", \"Infinity\", \"-Infinity\"]", TensorDataType.Float64, allowNonFinite: true);
        using (tensor)
        {
            Assert.Null(error);
            var values = tensor.AsSpan<double>().ToArray();
            Assert.True(double.IsNaN(values[0]));
            Assert.Equal(double.PositiveInfinity, values[1]);
            Assert.Equal(double.NegativeInfinity, values[2]);
        }
    }

    [Fact]
    public void ReadValue_BoolsAndStrings_AreStoredNatively()
    {
        var (error, _, bools) = Read("[true, false, 1, 0]", TensorDataType.Bool);
        using (bools)
        {
            Assert.Null(error);
            Assert.Equal([1, 0, 1, 0], bools.AsSpan<byte>().ToArray());
        }

        var (error2, _, strings) = Read("[\"héllo\", \"\"]", TensorDataType.Bytes);
        using (strings)
        {
            Assert.Null(error2);
            Assert.Equal(["héllo", ""], strings.Strings.ToArray());
        }
    }

    [Fact]
    public void ReadValue_TooDeep_IsRejected()
    {
        var json = new string('[', 17) + "1" + new string(']', 17);
        var (error, _, tensor) = Read(json, TensorDataType.Float32);
        tensor.Dispose();
        Assert.Contains("nested deeper", error);
    }

    [Fact]
    public void PermuteTail_ReordersNamedFeaturesIntoColumnOrder()
    {
        using var builder = new PooledTensorBuilder(TensorDataType.Float32);
        builder.Append(9f);
        builder.Append(30f);
        builder.Append(10f);
        builder.Append(20f);

        // Arrived as columns 2, 0, 1.
        builder.PermuteTail([2, 0, 1]);

        Assert.Equal([9f, 10f, 20f, 30f], builder.Written<float>().ToArray());
    }
}
