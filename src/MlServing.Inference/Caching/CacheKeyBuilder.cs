using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Caching;

/// <summary>
/// Hashes the canonical form of an input: model scope, then for each input in name order its name, datatype,
/// dims and raw little-endian bytes. The bytes are those of the decoded model-typed tensor, so flat or nested
/// JSON, /predict or OIP, positional or named features all give the same key.
/// </summary>
internal sealed class CacheKeyBuilder
{
    private readonly string _scope;
    private readonly int[] _nameOrder;
    private readonly byte[][] _names;
    private readonly byte[] _scopeBytes;

    public CacheKeyBuilder(string model, string version, string[] inputNames)
    {
        _scope = model + ":" + version;
        _scopeBytes = Encoding.UTF8.GetBytes(_scope);
        _nameOrder = [.. Enumerable.Range(0, inputNames.Length).OrderBy(i => inputNames[i], StringComparer.Ordinal)];
        _names = Array.ConvertAll(inputNames, Encoding.UTF8.GetBytes);
    }

    /// <summary>One key per row along dim 0 (batchable models).</summary>
    public CacheKey[] RowKeys(PooledTensor[] inputs, int rows)
    {
        var keys = new CacheKey[rows];
        var hasher = new XxHash128();
        for (var row = 0; row < rows; row++)
        {
            hasher.Reset();
            hasher.Append(_scopeBytes);
            foreach (var i in _nameOrder)
            {
                var input = inputs[i];
                AppendHeader(hasher, _names[i], input.DataType, input.Shape.AsSpan(1));
                var perRow = input.ElementCount / rows;
                if (input.IsStrings)
                {
                    AppendStrings(hasher, input.Strings.Slice(row * perRow, perRow));
                }
                else
                {
                    var rowBytes = input.ByteLength / rows;
                    hasher.Append(input.Bytes.Slice(row * rowBytes, rowBytes));
                }
            }

            keys[row] = new CacheKey(_scope, hasher.GetCurrentHashAsUInt128());
        }

        return keys;
    }

    /// <summary>One key for the whole request (non-batchable models).</summary>
    public CacheKey RequestKey(PooledTensor[] inputs)
    {
        var hasher = new XxHash128();
        hasher.Append(_scopeBytes);
        foreach (var i in _nameOrder)
        {
            var input = inputs[i];
            AppendHeader(hasher, _names[i], input.DataType, input.Shape);
            if (input.IsStrings)
            {
                AppendStrings(hasher, input.Strings);
            }
            else
            {
                hasher.Append(input.Bytes);
            }
        }

        return new CacheKey(_scope, hasher.GetCurrentHashAsUInt128());
    }

    private static void AppendHeader(XxHash128 hasher, byte[] name, TensorDataType type, ReadOnlySpan<long> dims)
    {
        Span<byte> scratch = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(scratch, name.Length);
        hasher.Append(scratch[..4]);
        hasher.Append(name);
        scratch[0] = (byte)type;
        scratch[1] = (byte)dims.Length;
        hasher.Append(scratch[..2]);
        hasher.Append(MemoryMarshal.AsBytes(dims));
    }

    private static void AppendStrings(XxHash128 hasher, ReadOnlySpan<string> strings)
    {
        Span<byte> length = stackalloc byte[4];
        foreach (var value in strings)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hasher.Append(length);
            hasher.Append(bytes);
        }
    }
}
