using System.Runtime.InteropServices;
using MlServing.Inference.Tensors;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Tensors;

/// <summary>The raw tensor layout shared by the REST binary extension and gRPC raw contents.</summary>
public sealed class RawTensorCodecTests
{
    [Fact]
    public void AlignedData_IsReadInPlace_UnalignedDataIsCopied()
    {
        float[] values = [1.5f, -2, 3.25f];
        var bytes = new byte[16];
        MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes.AsSpan(4));
        Assert.Null(RawTensorCodec.DecodeInPlace("x", TensorDataType.Float32, [3], bytes.AsMemory(4, 12), out var aligned));
        using (aligned)
        {
            Assert.Equal(values, aligned!.AsSpan<float>().ToArray());
            bytes[7] = 0;
            Assert.NotEqual(values[0], aligned.AsSpan<float>()[0]);
        }

        var shifted = new byte[16];
        MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(shifted.AsSpan(1));
        Assert.Null(RawTensorCodec.DecodeInPlace("x", TensorDataType.Float32, [3], shifted.AsMemory(1, 12), out var copied));
        using (copied)
        {
            shifted[4] = 0;
            Assert.Equal(values, copied!.AsSpan<float>().ToArray());
        }
    }

    [Fact]
    public void Bytes_RoundTripThroughEncode()
    {
        var data = BinaryTensorBody.Strings("a", "", "ünï");
        Assert.Null(RawTensorCodec.Decode("s", TensorDataType.Bytes, [3], data, out var tensor));
        using (tensor)
        {
            Assert.Equal(["a", "", "ünï"], tensor!.Strings.ToArray());
            var encoded = new byte[RawTensorCodec.EncodedLength(tensor)];
            RawTensorCodec.Encode(tensor, encoded);
            Assert.Equal(data, encoded);
        }
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, (byte)'a', 9, 0, 0, 0 }, 2, "element 1: its length prefix says 9 bytes, only 0 remain")]
    [InlineData(new byte[] { 1, 0, 0, 0, (byte)'a', 9, 0 }, 2, "element 1: its 4-byte length prefix runs past the end of the data (2 bytes left)")]
    [InlineData(new byte[] { 1, 0, 0, 0, (byte)'a' }, 2, "shape [2] needs 2 BYTES elements, the raw data holds 1")]
    [InlineData(new byte[] { 1, 0, 0, 0, (byte)'a', 7 }, 1, "1 bytes are left after the 1 BYTES elements that shape [1] describes")]
    public void MalformedBytes_SayWhatIsWrong(byte[] data, int count, string message) =>
        Assert.Equal(message, RawTensorCodec.Check(TensorDataType.Bytes, [count], data));

    [Fact]
    public void NumericData_MustHaveTheBytesTheShapeNeeds() =>
        Assert.Equal("the raw data has 7 bytes; shape [1,2] of FP32 needs 8 (2 elements of 4 bytes)", RawTensorCodec.Check(TensorDataType.Float32, [1, 2], new byte[7]));
}
