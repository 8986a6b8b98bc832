using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlServing.Api.Security;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>The key store and header parsing on their own: hashes, scopes, allow-lists, rates and every ambiguous header form.</summary>
public sealed class ApiKeyStoreTests
{
    private static ApiKeyStore Store(AuthOptions options) => new(Options.Create(options), NullLogger<ApiKeyStore>.Instance);

    private static AuthOptions Keys(params ApiKeyConfig[] keys)
    {
        var options = new AuthOptions();
        foreach (var key in keys)
        {
            options.Keys.Add(key);
        }

        return options;
    }

    private static ApiKeyConfig Key(string name, params string[] scopes) => new() { Name = name, Sha256 = Sha256Of(KeyOf(name)), Scopes = scopes };

    [Fact]
    public void NoKeyConfigured_IsOff()
    {
        using var store = Store(new AuthOptions());

        Assert.False(store.Enabled);
        Assert.True(store.Current.IsEmpty);
    }

    [Fact]
    public void Find_MatchesTheKeyWhoseHashIsConfigured_AcceptsUpperCaseHex_AndNothingElse()
    {
        var upper = Key("upper", "admin");
        upper.Sha256 = upper.Sha256!.ToUpperInvariant();
        using var store = Store(Keys(Key("a", "predict"), upper, new ApiKeyConfig { Name = "m", Sha256 = Sha256Of(KeyOf("m")), Scopes = ["predict"], Models = ["x"] }));

        Assert.True(store.Enabled);
        Assert.Equal("a", store.Current.Find(KeyOf("a"))!.Name);
        Assert.Equal("upper", store.Current.Find(KeyOf("upper"))!.Name);
        Assert.Null(store.Current.Find(KeyOf("a") + " "));
        Assert.Null(store.Current.Find(Sha256Of(KeyOf("a"))));
        Assert.Null(store.Current.Find(string.Empty));
        Assert.Null(store.Current.Find(new string('\ud800', 3000)));
        var restricted = store.Current.Find(KeyOf("m"))!;
        Assert.True(restricted.AllowsModel("x"));
        Assert.False(restricted.AllowsModel("X"));
        Assert.True(store.Current.Find(KeyOf("a"))!.AllowsModel("anything"));
        Assert.True(store.Current.Find(KeyOf("upper"))!.Has(ApiKeyScopes.Admin));
        Assert.False(store.Current.Find(KeyOf("upper"))!.Has(ApiKeyScopes.Predict));
    }

    [Fact]
    public void InvalidKeys_AreAllReported_WithTheSettingThatHoldsThem()
    {
        var options = Keys(
            new ApiKeyConfig { Name = "no-scope", Sha256 = Sha256Of("1") },
            new ApiKeyConfig { Name = "bad-models", Sha256 = Sha256Of("2"), Scopes = ["predict"], Models = [] },
            new ApiKeyConfig { Name = "same-hash", Sha256 = Sha256Of("2"), Scopes = ["predict"] },
            new ApiKeyConfig { Name = "nan", Sha256 = Sha256Of("3"), Scopes = ["predict"], RequestsPerSecond = double.NaN, Burst = -1 });

        var error = Assert.Throws<OptionsValidationException>(() => Store(options));

        Assert.Contains("MlServing:Auth:Keys:0:Scopes must list at least one of predict, admin", error.Failures);
        Assert.Contains("MlServing:Auth:Keys:1:Models must list model names; leave it out to allow every model", error.Failures);
        Assert.Contains("MlServing:Auth:Keys:3:RequestsPerSecond must be 0 (unlimited) or more", error.Failures);
        Assert.Contains("MlServing:Auth:Keys:3:Burst must be 0 (the default) or more", error.Failures);
        Assert.DoesNotContain(error.Failures, f => f.Contains("same-hash", StringComparison.Ordinal));
    }

    [Fact]
    public void KeysFile_IsReadWithComments_AndItsErrorsNameTheFileAndEntry()
    {
        var file = Path.Combine(Path.GetTempPath(), $"mlserving-keys-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(file, $$"""
                // two keys
                {"keys": [ {{FileEntry("a", "predict")}}, {"Name": "b", "SHA256": "{{Sha256Of(KeyOf("b"))}}", "Scopes": ["admin"], "RequestsPerSecond": 2.5}, ]}
                """);
            using (var store = Store(new AuthOptions { KeysFile = file }))
            {
                Assert.Equal(2, store.Current.Count);
                Assert.Equal(new ApiKeyRate(2.5, 3), store.Current.Find(KeyOf("b"))!.Rate);
            }

            File.WriteAllText(file, $$"""{"keys": [{{FileEntry("a", "predict")}}, {"name": "b", "sha256": "{{Sha256Of(KeyOf("a"))}}", "scopes": ["predict", "root"]}]}""");
            var error = Assert.Throws<OptionsValidationException>(() => Store(new AuthOptions { KeysFile = file }));
            Assert.Contains($"{file}: keys[1].scopes: unknown scope 'root' (expected predict, admin)", error.Failures);

            File.WriteAllText(file, """{"keys": [{"name": "a", "sha256": "00", "scopes": ["predict"], "expires": "never"}]}""");
            Assert.Contains("'expires'", Assert.Throws<OptionsValidationException>(() => Store(new AuthOptions { KeysFile = file })).Message, StringComparison.Ordinal);

            File.WriteAllText(file, "{}");
            Assert.Contains("needs a \"keys\" array", Assert.Throws<OptionsValidationException>(() => Store(new AuthOptions { KeysFile = file })).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(0.0, 0, 0, 0)]
    [InlineData(10.0, 0, 10, 10)]
    [InlineData(10.4, 50, 10, 50)]
    [InlineData(0.25, 0, 1, 1)]
    public void Rate_BecomesATokenBucket_RefilledOnceAPeriod(double perSecond, int burst, int tokensPerPeriod, int tokenLimit)
    {
        var rate = ApiKeyRate.Of(perSecond, burst, 0, 0);
        if (perSecond == 0)
        {
            Assert.True(rate.IsUnlimited);
            return;
        }

        var limiter = rate.ToLimiterOptions();
        Assert.Equal(tokensPerPeriod, limiter.TokensPerPeriod);
        Assert.Equal(tokenLimit, limiter.TokenLimit);
        Assert.Equal(perSecond >= 1 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1 / perSecond), limiter.ReplenishmentPeriod);
        Assert.Equal(0, limiter.QueueLimit);
        Assert.False(limiter.AutoReplenishment);
    }

    [Fact]
    public void Rate_FallsBackToTheDefaults()
    {
        Assert.Equal(new ApiKeyRate(5, 20), ApiKeyRate.Of(null, null, 5, 20));
        Assert.Equal(new ApiKeyRate(5, 7), ApiKeyRate.Of(null, 7, 5, 20));
        Assert.True(ApiKeyRate.Of(0, 7, 5, 20).IsUnlimited);
        Assert.Equal(new ApiKeyRate(3, 20), ApiKeyRate.Of(3, 0, 5, 20));
    }

    public static TheoryData<string?, string?, string?, string?> Headers() => new()
    {
        // Authorization, X-API-Key, expected key, expected refusal (a part of it)
        { null, null, null, null },
        { "Bearer k1", null, "k1", null },
        { "bearer   k1  ", null, "k1", null },
        { null, " k1 ", "k1", null },
        { "Bearer k1", "k1", "k1", null },
        { "Bearer k1", "k2", null, "two different API keys" },
        { "Basic dXNlcjpwYXNz", null, null, "must be 'Bearer <key>'" },
        { "Bearer", null, null, "must be 'Bearer <key>'" },
        { "Bearer    ", null, null, "must be 'Bearer <key>'" },
        { string.Empty, null, null, "must be 'Bearer <key>'" },
        { null, string.Empty, null, "X-API-Key header is empty" },
        { "Bearer " + new string('k', 1025), null, null, "too long" },
        { null, new string('k', 5000), null, "too long" },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Credentials_AreOneKeyOrARefusal(string? authorization, string? apiKey, string? expectedKey, string? refusal)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (authorization is not null)
        {
            headers.Authorization = authorization;
        }

        if (apiKey is not null)
        {
            headers["X-API-Key"] = apiKey;
        }

        var error = ApiKeyCredentials.Read(headers, out var key);

        Assert.Equal(expectedKey, key.IsEmpty ? null : key.ToString());
        if (refusal is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(refusal, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Credentials_RepeatedHeaders_AreRefused()
    {
        IHeaderDictionary headers = new HeaderDictionary { ["Authorization"] = new(["Bearer k1", "Bearer k1"]) };
        Assert.Contains("repeats", ApiKeyCredentials.Read(headers, out _), StringComparison.Ordinal);
        headers = new HeaderDictionary { ["X-API-Key"] = new(["k1", "k2"]) };
        Assert.Contains("repeats", ApiKeyCredentials.Read(headers, out _), StringComparison.Ordinal);
    }
}
