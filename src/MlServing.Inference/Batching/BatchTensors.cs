using System.Buffers;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Batching;

/// <summary>Stacks request tensors along dim 0 into pooled batch tensors, and slices batch outputs back per request.</summary>
internal static class BatchTensors
{
    /// <summary>True when the two requests' inputs agree on every dim after the batch dim, so they can stack.</summary>
    public static bool CanStack(PooledTensor[] a, PooledTensor[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i].Shape;
            var y = b[i].Shape;
            if (x.Length != y.Length || x.Length == 0)
            {
                return false;
            }

            for (var d = 1; d < x.Length; d++)
            {
                if (x[d] != y[d])
                {
                    return false;
                }
            }
        }

        return true;
    }

    public static PooledTensor[] Stack(List<BatchItem> batch, int rows)
    {
        var first = batch[0].Request.Inputs;
        var stacked = new PooledTensor[first.Length];
        try
        {
            for (var i = 0; i < first.Length; i++)
            {
                var shape = (long[])first[i].Shape.Clone();
                shape[0] = rows;
                if (first[i].IsStrings)
                {
                    var count = 0;
                    foreach (var item in batch)
                    {
                        count += item.Request.Inputs[i].ElementCount;
                    }

                    var strings = ArrayPool<string>.Shared.Rent(Math.Max(1, count));
                    var offset = 0;
                    foreach (var item in batch)
                    {
                        var source = item.Request.Inputs[i].Strings;
                        source.CopyTo(strings.AsSpan(offset));
                        offset += source.Length;
                    }

                    stacked[i] = PooledTensor.FromRentedStrings(first[i].Name, shape, strings, count);
                }
                else
                {
                    var length = 0;
                    foreach (var item in batch)
                    {
                        length += item.Request.Inputs[i].ByteLength;
                    }

                    var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
                    var offset = 0;
                    foreach (var item in batch)
                    {
                        var source = item.Request.Inputs[i].Bytes;
                        source.CopyTo(bytes.AsSpan(offset));
                        offset += source.Length;
                    }

                    stacked[i] = PooledTensor.FromRentedBytes(first[i].Name, first[i].DataType, shape, bytes, length);
                }
            }

            return stacked;
        }
        catch
        {
            Dispose(stacked);
            throw;
        }
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, start+<paramref name="count"/>) of a batch output of <paramref name="total"/>
    /// rows: a view sharing the batch output's memory.
    /// </summary>
    public static PooledTensor Slice(PooledTensor output, int total, int start, int count)
    {
        if (output.Shape.Length == 0 || output.Shape[0] != total)
        {
            throw new InvalidOperationException($"output '{output.Name}' has shape [{string.Join(',', output.Shape)}] for a batch of {total} rows; the model does not batch along dim 0");
        }

        return output.SliceRows(start, count);
    }

    public static void Dispose(PooledTensor?[] tensors)
    {
        foreach (var tensor in tensors)
        {
            tensor?.Dispose();
        }
    }
}
