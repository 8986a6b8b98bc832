using System.Diagnostics;
using System.Security.Cryptography;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Rollout;

/// <summary>
/// model.onnx.sha256 and signatures made with the real openssl command line: a tampered, unsigned or wrongly signed
/// version fails to load with its reason in the index and readiness body, while everything else keeps serving.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ModelIntegrityTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _keys = Directory.CreateTempSubdirectory("mlserving-keys").FullName;

    [Fact]
    public async Task AFileChangedByOneByte_IsRefusedWithChecksumMismatch_AndTheOtherVersionsAndModelsServe()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1, 2).AddFixture("identity-int8", "other")
            .WithConfig("m", """{"versionPolicy":{"all":true}}""");
        WriteChecksum(repo.ModelFile("m", 1));
        WriteChecksum(repo.ModelFile("m", 2));
        var bytes = File.ReadAllBytes(repo.ModelFile("m", 2));
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(repo.ModelFile("m", 2), bytes);
        await using var factory = new MlServingFactory(repo.Path);
        var client = await factory.StartAsync();

        var reason = await VersionReasonAsync(client, "m", "2");
        Assert.StartsWith("checksum mismatch", reason);
        Assert.Contains("checksum mismatch", (await (await client.GetAsync("/health/ready").WaitAsync(Timeout)).ExpectAsync(503)).ToJsonString());
        await ServesAsync(client, "/v2/models/m/versions/1/infer", "FP32");
        await ServesAsync(client, "/v2/models/other/infer", "INT8");
    }

    [Fact]
    public async Task RequireChecksum_RefusesAVersionWithoutOne()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1, 2).WithConfig("m", """{"versionPolicy":{"all":true}}""");
        WriteChecksum(repo.ModelFile("m", 1));
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:ModelRepository:RequireChecksum"] = "true" });
        var client = await factory.StartAsync();

        Assert.StartsWith("checksum missing", await VersionReasonAsync(client, "m", "2"));
        await ServesAsync(client, "/v2/models/m/versions/1/infer", "FP32");
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public async Task AnOpensslSignature_Verifies_OneByAnotherKeyIsRefused_AndAMissingOneIsRefused(string algorithm)
    {
        var (key, publicKey) = MakeKey(algorithm, "signer");
        var (otherKey, _) = MakeKey(algorithm, "other");
        using var repo = new TestRepository().AddFixture("identity-fp32", "m", 1, 2, 3).WithConfig("m", """{"versionPolicy":{"all":true}}""");
        Openssl("dgst", "-sha256", "-sign", key, "-out", repo.ModelFile("m", 1) + ".sig", repo.ModelFile("m", 1));
        Openssl("dgst", "-sha256", "-sign", otherKey, "-out", repo.ModelFile("m", 2) + ".sig", repo.ModelFile("m", 2));
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:ModelRepository:SigningPublicKey"] = publicKey });
        var client = await factory.StartAsync();

        await ServesAsync(client, "/v2/models/m/versions/1/infer", "FP32");
        Assert.StartsWith("signature invalid", await VersionReasonAsync(client, "m", "2"));
        Assert.StartsWith("signature missing", await VersionReasonAsync(client, "m", "3"));
    }

    [Fact]
    public async Task ASigningKeyThatIsNoKey_StopsTheProcessAtStartNamingTheSetting()
    {
        using var repo = new TestRepository().AddFixture("identity-fp32", "m");
        await using var factory = new MlServingFactory(repo.Path, new Dictionary<string, string?> { ["MlServing:ModelRepository:SigningPublicKey"] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => factory.StartAsync());
        Assert.Contains("MlServing:ModelRepository:SigningPublicKey", error.ToString());
    }

    private static async Task<string> VersionReasonAsync(HttpClient client, string model, string version)
    {
        var index = await (await client.PostAsync("/v2/repository/index", null).WaitAsync(Timeout)).ExpectAsync(200);
        var row = index.AsArray().Single(r => r!["name"]!.GetValue<string>() == model && r["version"]?.GetValue<string>() == version)!;
        Assert.Equal("UNAVAILABLE", row["state"]!.GetValue<string>());
        return row["reason"]!.GetValue<string>();
    }

    private static async Task ServesAsync(HttpClient client, string path, string datatype)
    {
        var body = await (await client.PostJsonAsync(path, $$"""{"inputs":[{"name":"x","shape":[1,2],"datatype":"{{datatype}}","data":[1,2]}]}""").WaitAsync(Timeout)).ExpectAsync(200);
        Assert.Equal("[1,2]", body["outputs"]![0]!["data"]!.ToJsonString());
    }

    /// <summary>sha256sum's format: the hex digest, two spaces, the file name.</summary>
    private static void WriteChecksum(string modelFile) =>
        File.WriteAllText(modelFile + ".sha256", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(modelFile))) + "  model.onnx\n");

    private (string Key, string PublicKey) MakeKey(string algorithm, string name)
    {
        var key = Path.Combine(_keys, name + ".pem");
        var publicKey = Path.Combine(_keys, name + ".pub.pem");
        if (algorithm == "ec")
        {
            Openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
            Openssl("ec", "-in", key, "-pubout", "-out", publicKey);
        }
        else
        {
            Openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key);
            Openssl("pkey", "-in", key, "-pubout", "-out", publicKey);
        }

        return (key, publicKey);
    }

    private static void Openssl(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "openssl did not finish");
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose() => Directory.Delete(_keys, recursive: true);
}
