using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>
/// The in-process store: at most <c>FeedbackMaxEntries</c> predictions, the oldest evicted first; entries expire after
/// their TTL (all share one TTL, so insertion order is expiry order). One lock; the work under it is a few operations.
/// </summary>
public sealed class MemoryFeedbackStore : IFeedbackStore
{
    private readonly Dictionary<FeedbackKey, Entry> _entries = [];
    private readonly Queue<(FeedbackKey Key, long Sequence)> _order = new();
    private readonly Lock _lock = new();
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private long _sequence;

    public MemoryFeedbackStore(int maxEntries, TimeProvider time)
    {
        _maxEntries = maxEntries;
        _time = time;
    }

    public string Provider => "memory";

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

    public void Put(string model, string requestId, StoredPrediction prediction, TimeSpan ttl)
    {
        var now = _time.GetTimestamp();
        var expiresAt = now + (long)(ttl.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            var key = FeedbackKey.Of(model, requestId);
            var sequence = ++_sequence;
            _entries[key] = new Entry(prediction, expiresAt, sequence);
            _order.Enqueue((key, sequence));
            while (_order.TryPeek(out var oldest))
            {
                // The queue slot is stale when its entry was joined, or put again under the same id since.
                ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, oldest.Key);
                var current = !Unsafe.IsNullRef(ref entry) && entry.Sequence == oldest.Sequence;
                if (current && _entries.Count <= _maxEntries && entry.ExpiresAt > now)
                {
                    break;
                }

                _order.Dequeue();
                if (current)
                {
                    _entries.Remove(oldest.Key);
                }
            }

            // Joined entries leave the map at once but their queue slots only when they reach the head: keep the
            // queue within a constant factor of the bound.
            if (_order.Count > (2 * _maxEntries) + 16)
            {
                Compact();
            }
        }
    }

    private void Compact()
    {
        var live = _order.ToArray();
        _order.Clear();
        foreach (var item in live)
        {
            if (_entries.TryGetValue(item.Key, out var entry) && entry.Sequence == item.Sequence)
            {
                _order.Enqueue(item);
            }
        }
    }

    public ValueTask<StoredPrediction?> GetAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(
                _entries.TryGetValue(FeedbackKey.Of(model, requestId), out var entry) && entry.ExpiresAt > _time.GetTimestamp() ? entry.Prediction : null);
        }
    }

    public ValueTask<bool> RemoveAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.Remove(FeedbackKey.Of(model, requestId)));
        }
    }

    private readonly record struct Entry(StoredPrediction Prediction, long ExpiresAt, long Sequence);
}
