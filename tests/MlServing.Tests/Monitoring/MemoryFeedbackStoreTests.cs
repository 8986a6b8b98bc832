using Microsoft.Extensions.Time.Testing;
using MlServing.Inference.Monitoring.Feedback;
using MlServing.Inference.Pipeline;

namespace MlServing.Tests.Monitoring;

/// <summary>
/// The in-process feedback store on its own, for both kinds of id (this server's own, kept in the ring, and any other,
/// kept in the map): joinable and never confused with one another; the oldest prediction goes first at capacity;
/// expired predictions are gone; a prediction joined and put again lives by its new position.
/// </summary>
public sealed class MemoryFeedbackStoreTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new();

    private static StoredPrediction Prediction(string label) => new("1", [label], null);

    private static async Task<string?> LabelAsync(MemoryFeedbackStore store, string model, string id) =>
        (await store.GetAsync(model, id, CancellationToken.None))?.Classes?[0];

    [Fact]
    public async Task ServerIdsAndClientIds_AreKeptApart_ByModelAndByExactText()
    {
        var store = new MemoryFeedbackStore(100, _time);
        const string server = "0123456789abcdef00000000000000ff";
        store.Put("wine", server, Prediction("a"), Ttl);
        store.Put("wine", server.ToUpperInvariant(), Prediction("b"), Ttl);
        store.Put("wine", "client-request-17", Prediction("c"), Ttl);
        store.Put("iris", server, Prediction("d"), Ttl);
        store.Put("wine", "ff", Prediction("e"), Ttl);

        Assert.Equal("a", await LabelAsync(store, "wine", server));
        Assert.Equal("b", await LabelAsync(store, "wine", server.ToUpperInvariant()));
        Assert.Equal("c", await LabelAsync(store, "wine", "client-request-17"));
        Assert.Equal("d", await LabelAsync(store, "iris", server));
        Assert.Equal("e", await LabelAsync(store, "wine", "ff"));
        Assert.Null(await LabelAsync(store, "wine", "0123456789abcdef00000000000000fe"));
        Assert.Null(await LabelAsync(store, "wine", "00000000000000000000000000000000ff"));
        Assert.Equal(5, store.Count);
    }

    [Fact]
    public async Task AtCapacity_TheOldestGoesFirst()
    {
        var store = new MemoryFeedbackStore(3, _time);
        for (var i = 0; i < 5; i++)
        {
            store.Put("wine", Id(i), Prediction(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Ttl);
        }

        Assert.Equal(3, store.Count);
        Assert.Null(await LabelAsync(store, "wine", Id(0)));
        Assert.Null(await LabelAsync(store, "wine", Id(1)));
        Assert.Equal("4", await LabelAsync(store, "wine", Id(4)));
    }

    [Fact]
    public async Task ExpiredPredictions_AreNotReturned_AndLeaveWithTheNextPut()
    {
        var store = new MemoryFeedbackStore(100, _time);
        store.Put("wine", Id(1), Prediction("old"), Ttl);
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        Assert.Null(await LabelAsync(store, "wine", Id(1)));
        store.Put("wine", Id(2), Prediction("new"), Ttl);
        Assert.Equal(1, store.Count);
        Assert.Equal("new", await LabelAsync(store, "wine", Id(2)));
    }

    [Fact]
    public async Task JoinedThenPutAgain_LivesByItsNewPosition()
    {
        var store = new MemoryFeedbackStore(2, _time);
        store.Put("wine", Id(1), Prediction("first"), Ttl);
        Assert.True(await store.RemoveAsync("wine", Id(1), CancellationToken.None));
        store.Put("wine", Id(2), Prediction("two"), Ttl);
        store.Put("wine", Id(1), Prediction("again"), Ttl);

        // The first slot of id 1 is stale: reaching it must not evict the prediction put again.
        Assert.Equal("again", await LabelAsync(store, "wine", Id(1)));
        store.Put("wine", Id(3), Prediction("three"), Ttl);
        Assert.Null(await LabelAsync(store, "wine", Id(2)));
        Assert.Equal("again", await LabelAsync(store, "wine", Id(1)));
        Assert.Equal("three", await LabelAsync(store, "wine", Id(3)));
    }

    private static string Id(int n) => "00000000000000aa" + n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task OwnIds_AtCapacity_TheOldestGoesFirst_AndALatePutOfAnOlderIdIsDropped()
    {
        var store = new MemoryFeedbackStore(3, _time);
        var ids = Enumerable.Range(0, 6).Select(_ => ServerRequestIds.NewId()).ToArray();
        for (var i = 0; i < 5; i++)
        {
            store.Put("wine", ids[i], Prediction(ids[i]), Ttl);
        }

        Assert.Equal(3, store.Count);
        Assert.Null(await LabelAsync(store, "wine", ids[0]));
        Assert.Null(await LabelAsync(store, "wine", ids[1]));
        for (var i = 2; i < 5; i++)
        {
            Assert.Equal(ids[i], await LabelAsync(store, "wine", ids[i]));
        }

        // ids[1] answered late, after ids[4] took its slot: older than what is kept, so not stored.
        store.Put("wine", ids[1], Prediction("late"), Ttl);
        Assert.Null(await LabelAsync(store, "wine", ids[1]));
        Assert.Equal(ids[4], await LabelAsync(store, "wine", ids[4]));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public async Task OwnIds_AreKeptApart_ByModel_FromAnotherProcesssIds_AndExpire()
    {
        var store = new MemoryFeedbackStore(100, _time);
        var id = ServerRequestIds.NewId();
        var sameCounterOtherProcess = (id[0] == '0' ? "1" : "0") + id[1..];
        store.Put("wine", id, Prediction("own"), Ttl);
        store.Put("wine", sameCounterOtherProcess, Prediction("other"), Ttl);

        Assert.Equal("own", await LabelAsync(store, "wine", id));
        Assert.Equal("other", await LabelAsync(store, "wine", sameCounterOtherProcess));
        Assert.Null(await LabelAsync(store, "iris", id));
        Assert.False(await store.RemoveAsync("iris", id, CancellationToken.None));

        Assert.True(await store.RemoveAsync("wine", id, CancellationToken.None));
        Assert.False(await store.RemoveAsync("wine", id, CancellationToken.None));
        Assert.Null(await LabelAsync(store, "wine", id));

        store.Put("wine", id, Prediction("again"), Ttl);
        Assert.Equal("again", await LabelAsync(store, "wine", id));
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));
        Assert.Null(await LabelAsync(store, "wine", id));
        Assert.Null(await LabelAsync(store, "wine", sameCounterOtherProcess));
    }
}
