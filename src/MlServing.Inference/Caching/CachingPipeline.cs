using MlServing.Inference.Batching;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Runtime;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Caching;

/// <summary>
/// Wraps a version's pipeline with the prediction cache. Batchable models are cached per row: a request whose
/// rows are partly cached sends only the missing rows to the model and merges the answers in row order, byte for
/// byte as the model gave them. Non-batchable models are cached per request. The store fails open. When every row
/// is computed, the model's own output tensors are handed on (moved, not copied).
/// </summary>
public sealed class CachingPipeline : IInferencePipeline
{
    private readonly IInferencePipeline _inner;
    private readonly ModelSession _session;
    private readonly ModelSignature _signature;
    private readonly IPredictionStore _store;
    private readonly ModelVersionMetrics _metrics;
    private readonly TimeSpan _ttl;
    private readonly CacheKeyBuilder _keys;

    public CachingPipeline(IInferencePipeline inner, string model, string version, ModelSession session, ModelVersionMetrics metrics, IPredictionStore store, TimeSpan ttl)
    {
        _inner = inner;
        _session = session;
        _signature = session.Signature;
        _store = store;
        _metrics = metrics;
        _ttl = ttl;
        _keys = new CacheKeyBuilder(model, version, _signature.InputNames);
    }

    public IInferencePipeline Inner => _inner;

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        if (request.BypassCache)
        {
            return await _inner.InferAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var signature = _signature;
        var perRow = signature.IsBatchable;
        var rows = perRow ? request.Rows : 1;
        var keys = perRow ? _keys.RowKeys(request.Inputs, rows) : [_keys.RequestKey(request.Inputs)];
        var lookup = await _store.GetAsync(keys, cancellationToken).ConfigureAwait(false);

        var cached = new CachedOutput[rows][];
        var missing = new List<int>(rows);
        for (var r = 0; r < rows; r++)
        {
            var decoded = new CachedOutput[signature.Outputs.Length];
            if (lookup.Values[r] is { } entry && CacheEntryCodec.TryDecode(entry, signature, decoded))
            {
                cached[r] = decoded;
                _metrics.CacheHits.Inc();
            }
            else
            {
                missing.Add(r);
                (lookup.Failed ? _metrics.CacheErrors : _metrics.CacheMisses).Inc();
            }
        }

        if (missing.Count == 0)
        {
            return InferenceResult.Success(Assemble(request.OutputIndices, cached, null, null, rows));
        }

        // Everything is computed for a miss, so the stored entry serves any later output selection.
        var allOutputs = _session.AllOutputs;
        var computeAll = missing.Count == rows;
        using var subRequest = computeAll
            ? request.With(request.Inputs, allOutputs, request.Rows, ownsInputs: false)
            : request.With(TakeRows(request.Inputs, missing, rows), allOutputs, missing.Count, ownsInputs: true);
        var computed = await _inner.InferAsync(subRequest, cancellationToken).ConfigureAwait(false);
        if (!computed.IsSuccess)
        {
            return computed;
        }

        Store(keys, missing, computed.Outputs, perRow);
        if (computeAll)
        {
            return InferenceResult.Success(Select(computed.Outputs, request.OutputIndices));
        }

        using (computed)
        {
            return InferenceResult.Success(Assemble(request.OutputIndices, cached, missing, computed.Outputs, rows));
        }
    }

    private void Store(CacheKey[] keys, List<int> missing, PooledTensor[] outputs, bool perRow)
    {
        var missingKeys = new CacheKey[missing.Count];
        var values = new byte[missing.Count][];
        for (var i = 0; i < missing.Count; i++)
        {
            missingKeys[i] = keys[missing[i]];
            values[i] = CacheEntryCodec.Encode(outputs, missing.Count, perRow ? i : -1);
        }

        _store.Set(missingKeys, values, _ttl);
    }

    /// <summary>The wanted outputs of a full computation, in the wanted order; the others are released.</summary>
    private static PooledTensor[] Select(PooledTensor[] all, int[] wanted)
    {
        var result = new PooledTensor[wanted.Length];
        for (var w = 0; w < wanted.Length; w++)
        {
            result[w] = all[wanted[w]];
        }

        for (var i = 0; i < all.Length; i++)
        {
            if (Array.IndexOf(wanted, i) < 0)
            {
                all[i].Dispose();
            }
        }

        return result;
    }

    /// <summary>Builds the requested outputs in row order from cached entries and the rows just computed.</summary>
    private PooledTensor[] Assemble(int[] wanted, CachedOutput[][] cached, List<int>? missing, PooledTensor[]? computed, int rows)
    {
        var result = new PooledTensor[wanted.Length];
        try
        {
            for (var w = 0; w < wanted.Length; w++)
            {
                result[w] = Merge(_signature.Outputs[wanted[w]], wanted[w], cached, missing, computed, rows);
            }

            return result;
        }
        catch
        {
            BatchTensors.Dispose(result);
            throw;
        }
    }

    private PooledTensor Merge(TensorSpec spec, int index, CachedOutput[][] cached, List<int>? missing, PooledTensor[]? computed, int rows)
    {
        using var builder = new PooledTensorBuilder(spec.DataType, 64);
        long[]? shape = null;
        var next = 0;
        for (var r = 0; r < rows; r++)
        {
            if (cached[r] is { } entry)
            {
                var output = entry[index];
                shape ??= _signature.IsBatchable ? [rows, .. output.Dims] : output.Dims;
                CacheEntryCodec.AppendTo(output, builder);
                continue;
            }

            var source = computed![index];
            using var slice = BatchTensors.Slice(source, missing!.Count, next++, 1);
            shape ??= [rows, .. slice.Shape.AsSpan(1)];
            if (slice.IsStrings)
            {
                foreach (var value in slice.Strings)
                {
                    builder.AppendString(value);
                }
            }
            else
            {
                builder.AppendBytes(slice.Bytes);
            }
        }

        return builder.Build(spec.Name, shape!, spec.Classes);
    }

    private static PooledTensor[] TakeRows(PooledTensor[] inputs, List<int> rowsToTake, int totalRows)
    {
        var taken = new PooledTensor[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var input = inputs[i];
                var shape = (long[])input.Shape.Clone();
                shape[0] = rowsToTake.Count;
                var perRow = input.ElementCount / totalRows;
                using var builder = new PooledTensorBuilder(input.DataType, Math.Max(4, perRow * rowsToTake.Count));
                foreach (var row in rowsToTake)
                {
                    if (input.IsStrings)
                    {
                        foreach (var value in input.Strings.Slice(row * perRow, perRow))
                        {
                            builder.AppendString(value);
                        }
                    }
                    else
                    {
                        var rowBytes = input.ByteLength / totalRows;
                        builder.AppendBytes(input.Bytes.Slice(row * rowBytes, rowBytes));
                    }
                }

                taken[i] = builder.Build(input.Name, shape);
            }

            return taken;
        }
        catch
        {
            BatchTensors.Dispose(taken);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
