using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using MlServing.Tests.Infrastructure;
using static MlServing.Tests.Infrastructure.TestApiKeys;

namespace MlServing.Tests.Security;

/// <summary>
/// Generated hostile credentials against a server with keys: headers that are empty, huge, non-ASCII, repeated, of
/// another scheme, or a valid key paired with a different one. Every request is a 401 with the Bearer challenge in the
/// route's error format; never a 5xx, never served.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AuthHeaderPropertyTests : IClassFixture<AuthHeaderPropertyTests.KeyedServer>
{
    public const int Cases = 400;

    private static readonly string Valid = KeyOf("ok");

    private readonly HttpClient _client;

    public AuthHeaderPropertyTests(KeyedServer server) => _client = server.Client;

    public sealed class KeyedServer() : SharedServer(
        new TestRepository().AddFixture("identity-fp32", "id"),
        new Dictionary<string, string?>().WithKey(0, "ok", ["predict", "admin"]))
    {
    }

    /// <summary>Values no key can be read from, or that are not the key: what a broken or hostile client sends.</summary>
    private static Gen<string> HostileValue => Gen.Frequency(
        (4, Gen.Elements(
            string.Empty, " ", "\t", "Bearer", "Bearer ", "Bearer    ", "bearer", "Basic dXNlcjpwYXNz", "Token " + Valid, "Bearer" + Valid,
            "BearerX " + Valid, "Bearer " + Sha256Of(Valid), "Bearer " + Valid.ToUpperInvariant(), Valid + "x", "Bearer " + Valid + "\u200b",
            "Bearer \u00e9" + Valid, "Bearer ключ-🔑", "Bearer \ud800", "\ud800", "Bearer " + Valid + " extra", "Bearer Bearer " + Valid,
            "Bearer " + Valid[..^1], "Bearer " + Valid.Replace('-', '\u2010'), "Ｂｅａｒｅｒ " + Valid)),
        (1, Gen.Choose(1025, 70_000).Select(n => "Bearer " + new string('a', n))),
        (1, Gen.Choose(1025, 70_000).Select(n => new string('k', n))),
        (1, Gen.Choose(1, 3_000).Select(n => "Bearer " + new StringBuilder().Insert(0, "ключ🔑", n))),
        (2, ArbMap.Default.GeneratorFor<NonEmptyString>().Select(s => "Bearer " + new string([.. s.Get.Where(c => c >= ' ')]))));

    private static Gen<(string Name, string Value)> Header => Gen.Frequency(
        (3, from name in Gen.Elements("Authorization", "authorization", "AUTHORIZATION") from value in HostileValue select (name, value)),
        (3, from name in Gen.Elements("X-API-Key", "x-api-key") from value in HostileValue select (name, value)),
        (1, Gen.Constant(("Authorization", "Bearer " + Valid))),
        (1, Gen.Constant(("X-API-Key", Valid))));

    /// <summary>One to three headers, never exactly one way of sending the valid key (nor both ways with the same key).</summary>
    private static Gen<Credentials> HostileCredentials =>
        from count in Gen.Choose(1, 3)
        from headers in Gen.ArrayOf(Header, count)
        from predict in Gen.Elements(true, false)
        where !IsValid(headers)
        select new Credentials(headers, predict);

    private static bool IsValid((string Name, string Value)[] headers)
    {
        var authorization = headers.Where(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).ToArray();
        var apiKey = headers.Where(h => h.Name.Equals("X-API-Key", StringComparison.OrdinalIgnoreCase)).ToArray();
        return authorization.Length <= 1 && apiKey.Length <= 1
            && authorization.All(h => h.Value == "Bearer " + Valid) && apiKey.All(h => h.Value == Valid);
    }

    [Fact]
    public async Task HostileCredentials_AreAlways401WithTheBearerChallenge_InTheRoutesFormat_NeverA5xx()
    {
        var ran = 0;
        var property = Prop.ForAll(Arb.From(HostileCredentials), async credentials =>
        {
            Interlocked.Increment(ref ran);
            using var request = credentials.Predict
                ? Request(HttpMethod.Post, "/predict", """{"instances":[[1,2]]}""")
                : Request(HttpMethod.Post, "/v2/models/id/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");
            foreach (var (name, value) in credentials.Headers)
            {
                Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"the client refused header {name}");
            }

            using var response = await _client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} for {credentials}: {text}");
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
            var json = JsonNode.Parse(text)!;
            if (credentials.Predict)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(401, json["status"]!.GetValue<int>());
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(json["error"]!.GetValue<string>()));
            }

            Assert.DoesNotContain(Valid, text, StringComparison.Ordinal);
        });

        await Properties.CheckAsync(property, Cases, seed: 9_005);

        Assert.Equal(Cases, ran);
        using var served = Request(HttpMethod.Post, "/predict", """{"instances":[[1,2]]}""", bearer: Valid, apiKey: Valid);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(served)).StatusCode);
    }

    /// <summary>Printed for a counterexample: header names and the start of each value (values may be 70,000 characters).</summary>
    public sealed record Credentials((string Name, string Value)[] Headers, bool Predict)
    {
        public override string ToString() =>
            (Predict ? "/predict " : "/v2 ") + string.Join("; ", Headers.Select(h => $"{h.Name}: {(h.Value.Length > 80 ? h.Value[..80] + $"... ({h.Value.Length} chars)" : h.Value)}"));
    }
}
