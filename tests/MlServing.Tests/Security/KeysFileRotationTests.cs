using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Api.Security;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// <c>MlServing:Auth:KeysFile</c> is re-read while the server runs: a rotated key works and the old one stops, without a
/// restart; a broken file is refused and the keys in force stay. Each step awaits the store's reload event (the file is
/// polled, so a change is seen within seconds).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class KeysFileRotationTests : IDisposable
{
    private const string PredictBody = """{"instances":[[1.5,-2]]}""";
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(45);

    private readonly TestRepository _repository = new TestRepository().AddFixture("identity-fp32", "id");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlserving-tests", "keys-" + Guid.NewGuid().ToString("N"));

    public KeysFileRotationTests() => Directory.CreateDirectory(_directory);

    private string KeysFile => Path.Combine(_directory, "keys.json");

    /// <summary>Replaces the file in one rename, as an editor or a Secret update does, so a poll never sees half a file.</summary>
    private void WriteKeys(string json)
    {
        var temporary = Path.Combine(_directory, "keys.json.tmp");
        File.WriteAllText(temporary, json);
        File.Move(temporary, KeysFile, overwrite: true);
    }

    private static async Task<HttpStatusCode> PredictAsync(HttpClient client, string key)
    {
        using var request = Request(HttpMethod.Post, "/predict", PredictBody, bearer: key);
        using var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        return response.StatusCode;
    }

    private static Task<ApiKeyReload> NextReloadAsync(ApiKeyStore store)
    {
        var reloaded = new TaskCompletionSource<ApiKeyReload>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReload(ApiKeyReload reload)
        {
            store.Reloaded -= OnReload;
            reloaded.TrySetResult(reload);
        }

        store.Reloaded += OnReload;
        return reloaded.Task.WaitAsync(ReloadTimeout);
    }

    [Fact]
    public async Task RotatedKeysFile_IsUsedWithoutARestart_AndABrokenFileKeepsTheKeysInForce()
    {
        WriteKeys($$"""{"keys": [{{FileEntry("old", "predict")}}]}""");
        await using var factory = new MlServingFactory(_repository.Path, new Dictionary<string, string?> { ["MlServing:Auth:KeysFile"] = KeysFile });
        var client = await factory.StartAsync();
        var store = factory.Services.GetRequiredService<ApiKeyStore>();
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, KeyOf("old")));
        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, KeyOf("new")));

        var rotated = NextReloadAsync(store);
        WriteKeys($$"""
            // rotated: "old" is gone
            {"keys": [{{FileEntry("new", "predict")}},]}
            """);
        Assert.Equal(new ApiKeyReload(true, 1, null), await rotated);
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, KeyOf("new")));
        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, KeyOf("old")));

        var refused = NextReloadAsync(store);
        WriteKeys("""{"keys": [{"name": "typo", "sha256": "not-a-hash", "scope": ["predict"]}]}""");
        var reload = await refused;
        Assert.False(reload.Applied);
        Assert.Equal(1, reload.Keys);
        Assert.Contains("keys.json", reload.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, KeyOf("new")));
        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, "not-a-hash"));
    }

    public void Dispose()
    {
        _repository.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind does not affect other tests.
        }
    }
}
