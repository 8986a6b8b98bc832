using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Api.Security;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// A keep-alive HTTP/1.1 connection that presents the same Authorization header again is answered from the
/// connection's memo instead of hashing the key again: the memo must never answer for another key, another header
/// combination or a rotated key set. Real Kestrel, one connection for every request of a test.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ApiKeyConnectionMemoTests : IDisposable
{
    private const string PredictBody = """{"instances":[[1.5,-2]]}""";

    private readonly TestRepository _repository = new TestRepository().AddFixture("identity-fp32", "id");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlserving-tests", "memo-" + Guid.NewGuid().ToString("N"));

    public ApiKeyConnectionMemoTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public void Recall_AnswersOnlyForTheSameHeaderObjectUnderTheSameKeySet()
    {
        var key = new ApiKey("a", new byte[32], ApiKeyScopes.Predict, models: null, ApiKeyRate.Unlimited);
        var keys = new ApiKeySet([key]);
        var header = "Bearer " + KeyOf("a");
        var memo = new ApiKeyConnectionMemo();
        Assert.Null(memo.Recall(header, keys));

        memo.Remember(header, keys, key);

        Assert.Same(key, memo.Recall(header, keys));
        Assert.Null(memo.Recall(new string(header.AsSpan()), keys));
        Assert.Null(memo.Recall(header, new ApiKeySet([key])));
    }

    [Fact]
    public async Task OneConnection_SwitchingKeysAndHeaders_IsJudgedRequestByRequest_AndARotatedKeyStops()
    {
        var keysFile = Path.Combine(_directory, "keys.json");
        File.WriteAllText(keysFile, $$"""{"keys": [{{FileEntry("a", "predict")}}, {{FileEntry("ops", "admin")}}]}""");
        await using var server = await KestrelServer.StartAsync(_repository.Path, new Dictionary<string, string?> { ["MlServing:Auth:KeysFile"] = keysFile });
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = server.Http.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, bearer: KeyOf("a")));
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, bearer: KeyOf("a")));
        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, bearer: KeyOf("a"), apiKey: KeyOf("ops")));
        Assert.Equal(HttpStatusCode.Forbidden, await PredictAsync(client, bearer: KeyOf("ops")));
        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, bearer: KeyOf("a") + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, bearer: null));
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, bearer: KeyOf("a")));

        var store = server.Factory.Services.GetRequiredService<ApiKeyStore>();
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Reloaded += reload =>
        {
            if (reload.Applied)
            {
                reloaded.TrySetResult();
            }
        };
        var temporary = keysFile + ".tmp";
        File.WriteAllText(temporary, $$"""{"keys": [{{FileEntry("ops", "admin")}}]}""");
        File.Move(temporary, keysFile, overwrite: true);
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(45));

        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, bearer: KeyOf("a")));
    }

    private static async Task<HttpStatusCode> PredictAsync(HttpClient client, string? bearer, string? apiKey = null)
    {
        using var request = Request(HttpMethod.Post, "/predict", PredictBody, bearer, apiKey);
        using var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        return response.StatusCode;
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
