using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace MlServing.Inference.Repository;

/// <summary>
/// Checks a version's model file before it loads: <c>model.onnx.sha256</c> (sha256sum format) must match, and with a
/// signing key configured <c>model.onnx.sig</c> must be a valid signature of the file's SHA-256 (ECDSA P-256 DER, or
/// RSA PKCS#1 v1.5: what <c>openssl dgst -sha256 -sign key.pem</c> writes).
/// </summary>
public sealed class ModelIntegrity : IDisposable
{
    public const string ChecksumSuffix = ".sha256";
    public const string SignatureSuffix = ".sig";

    private readonly AsymmetricAlgorithm? _key;
    private readonly bool _requireChecksum;

    public ModelIntegrity(IOptions<ModelRepositoryOptions> options)
    {
        _requireChecksum = options.Value.RequireChecksum;
        _key = string.IsNullOrWhiteSpace(options.Value.SigningPublicKey) ? null : LoadPublicKey(options.Value.SigningPublicKey);
    }

    /// <summary>Null when the file may load; otherwise the reason, starting with <c>checksum mismatch</c>, <c>checksum missing</c>, <c>signature missing</c> or <c>signature invalid</c>.</summary>
    public string? Check(string modelPath)
    {
        var checksumPath = modelPath + ChecksumSuffix;
        var signaturePath = modelPath + SignatureSuffix;
        var hasChecksum = File.Exists(checksumPath);
        if (!hasChecksum && _requireChecksum)
        {
            return $"checksum missing: {Path.GetFileName(checksumPath)} is required (MlServing:ModelRepository:RequireChecksum)";
        }

        if (_key is not null && !File.Exists(signaturePath))
        {
            return $"signature missing: {Path.GetFileName(signaturePath)} is required (MlServing:ModelRepository:SigningPublicKey is set)";
        }

        if (!hasChecksum && _key is null)
        {
            return null;
        }

        byte[] hash;
        using (var stream = File.OpenRead(modelPath))
        {
            hash = SHA256.HashData(stream);
        }

        if (hasChecksum)
        {
            var expected = File.ReadAllText(checksumPath).Trim().Split([' ', '\t', '*'], 2)[0];
            var actual = Convert.ToHexStringLower(hash);
            if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
            {
                return $"checksum mismatch: {Path.GetFileName(checksumPath)} says {Shorten(expected)}, the file hashes to {Shorten(actual)}";
            }
        }

        if (_key is not null && !Verify(hash, File.ReadAllBytes(signaturePath)))
        {
            return $"signature invalid: {Path.GetFileName(signaturePath)} is not a signature of this file by the configured key";
        }

        return null;
    }

    /// <summary>A PEM public key (SubjectPublicKeyInfo, or PKCS#1 RSA), given inline or as a file path.</summary>
    public static AsymmetricAlgorithm LoadPublicKey(string pemOrPath)
    {
        var pem = pemOrPath.Contains("-----BEGIN", StringComparison.Ordinal) ? pemOrPath : File.ReadAllText(pemOrPath);
        var fields = PemEncoding.Find(pem);
        var label = pem.AsSpan()[fields.Label];
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        if (label.SequenceEqual("RSA PUBLIC KEY"))
        {
            var pkcs1 = RSA.Create();
            pkcs1.ImportRSAPublicKey(der, out _);
            return pkcs1;
        }

        if (!label.SequenceEqual("PUBLIC KEY"))
        {
            throw new CryptographicException($"expected a PUBLIC KEY block, found '{label}'");
        }

        var info = PublicKey.CreateFromSubjectPublicKeyInfo(der, out _);
        if (info.GetRSAPublicKey() is { } rsa)
        {
            return rsa;
        }

        var ecdsa = info.GetECDsaPublicKey() ?? throw new CryptographicException($"the key's algorithm ({info.Oid.FriendlyName ?? info.Oid.Value}) is neither ECDSA nor RSA");
        if (ecdsa.KeySize != 256)
        {
            var bits = ecdsa.KeySize;
            ecdsa.Dispose();
            throw new CryptographicException($"the ECDSA key has {bits} bits; P-256 is required");
        }

        return ecdsa;
    }

    private bool Verify(byte[] hash, byte[] signature)
    {
        try
        {
            return _key switch
            {
                ECDsa ecdsa => ecdsa.VerifyHash(hash, signature, DSASignatureFormat.Rfc3279DerSequence),
                RSA rsa => rsa.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string Shorten(string hex) => hex.Length > 16 ? hex[..16].ToLower(CultureInfo.InvariantCulture) + "…" : hex;

    public void Dispose() => _key?.Dispose();
}
