using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlServing.Inference.Pipeline;

namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>
/// The in-process store: at most <c>FeedbackMaxEntries</c> predictions under this server's own request ids and as many
/// under ids clients sent, the oldest evicted first; entries expire after their TTL (all share one TTL, so insertion
/// order is expiry order). The server's ids are sequential (<see cref="ServerRequestIds"/>), so their predictions
/// live in a ring indexed by the id's counter: a new one takes the slot of the one put <c>FeedbackMaxEntries</c> ids
/// earlier, with no hashing, no search for the oldest and nothing allocated or retained per prediction. Other ids go
/// to a map with a queue of insertion order. One lock; the work under it is a few operations.
/// </summary>
public sealed class MemoryFeedbackStore : IFeedbackStore
{
    private readonly Dictionary<(string Model, string Id), Entry> _entries = [];
    private readonly Queue<((string Model, string Id) Key, long Sequence)> _order = new();
    private readonly Lock _lock = new();
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private RingSlot[]? _ring;
    private int _ringCount;
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
                return _ringCount + _entries.Count;
            }
        }
    }

    public void Put(string model, string requestId, StoredPrediction prediction, TimeSpan ttl)
    {
        var now = _time.GetTimestamp();
        var expiresAt = now + (long)(ttl.TotalSeconds * _time.TimestampFrequency);
        if (ServerRequestIds.TryCounter(requestId, out var counter))
        {
            lock (_lock)
            {
                _ring ??= new RingSlot[_maxEntries];
                ref var slot = ref SlotFor(_ring, counter);
                if (slot.Prediction is not null && slot.Counter > counter)
                {
                    // A later id holds the slot: this prediction is already older than the ones kept.
                    return;
                }

                _ringCount += slot.Prediction is null ? 1 : 0;
                slot = new RingSlot(counter, model, prediction, expiresAt);
            }

            return;
        }

        lock (_lock)
        {
            var key = (model, requestId);
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
            if (ServerRequestIds.TryCounter(requestId, out var counter))
            {
                ref var slot = ref RingSlotOf(counter, model);
                return ValueTask.FromResult(!Unsafe.IsNullRef(ref slot) && slot.ExpiresAt > _time.GetTimestamp() ? slot.Prediction : null);
            }

            return ValueTask.FromResult(
                _entries.TryGetValue((model, requestId), out var entry) && entry.ExpiresAt > _time.GetTimestamp() ? entry.Prediction : null);
        }
    }

    public ValueTask<bool> RemoveAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (ServerRequestIds.TryCounter(requestId, out var counter))
            {
                ref var slot = ref RingSlotOf(counter, model);
                if (Unsafe.IsNullRef(ref slot))
                {
                    return ValueTask.FromResult(false);
                }

                slot = default;
                _ringCount--;
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(_entries.Remove((model, requestId)));
        }
    }

    /// <summary>The ring slot holding the prediction of <paramref name="counter"/> for <paramref name="model"/>, or a null ref.</summary>
    private ref RingSlot RingSlotOf(ulong counter, string model)
    {
        if (_ring is null)
        {
            return ref Unsafe.NullRef<RingSlot>();
        }

        ref var slot = ref SlotFor(_ring, counter);
        return ref slot.Prediction is not null && slot.Counter == counter && string.Equals(slot.Model, model, StringComparison.Ordinal)
            ? ref slot
            : ref Unsafe.NullRef<RingSlot>();
    }

    private static ref RingSlot SlotFor(RingSlot[] ring, ulong counter) => ref ring[(int)(counter % (ulong)ring.Length)];

    private readonly record struct Entry(StoredPrediction Prediction, long ExpiresAt, long Sequence);

    private readonly record struct RingSlot(ulong Counter, string Model, StoredPrediction? Prediction, long ExpiresAt);
}
