using Microsoft.Extensions.Options;

namespace MlServing.Inference.Caching;

/// <summary>
/// The default store: in-process, least-recently-used eviction bounded by entry count and bytes, per-entry TTL.
/// One lock guards the map and the recency list; the work under it is a few pointer moves.
/// </summary>
public sealed class MemoryPredictionStore : IPredictionStore
{
    private readonly Dictionary<CacheKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private long _bytes;

    public MemoryPredictionStore(IOptions<CacheOptions> options, TimeProvider time)
    {
        _maxEntries = options.Value.MaxEntries;
        _maxBytes = options.Value.MaxBytes;
        _time = time;
    }

    public string Provider => "memory";

    public CacheHealth Health => CacheHealth.Healthy(Provider);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public ValueTask<CacheLookup> GetAsync(CacheKey[] keys, CancellationToken cancellationToken)
    {
        var values = new byte[]?[keys.Length];
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                if (!_entries.TryGetValue(keys[i], out var node))
                {
                    continue;
                }

                if (now >= node.Value.ExpiresAt)
                {
                    Remove(node);
                    continue;
                }

                _recency.Remove(node);
                _recency.AddFirst(node);
                values[i] = node.Value.Value;
            }
        }

        return ValueTask.FromResult(new CacheLookup(values, false));
    }

    public void Set(ReadOnlySpan<CacheKey> keys, ReadOnlySpan<byte[]> values, TimeSpan ttl)
    {
        var expiresAt = _time.GetTimestamp() + (long)(ttl.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                if (values[i].Length > _maxBytes)
                {
                    continue;
                }

                if (_entries.TryGetValue(keys[i], out var existing))
                {
                    Remove(existing);
                }

                var node = _recency.AddFirst(new Entry(keys[i], values[i], expiresAt));
                _entries[keys[i]] = node;
                _bytes += values[i].Length;
                while (_entries.Count > _maxEntries || _bytes > _maxBytes)
                {
                    Remove(_recency.Last!);
                }
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Value.Length;
    }

    private readonly record struct Entry(CacheKey Key, byte[] Value, long ExpiresAt);
}
