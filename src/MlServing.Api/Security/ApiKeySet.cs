using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace MlServing.Api.Security;

/// <summary>The keys in force, published as one immutable snapshot. Empty = authentication off.</summary>
public sealed class ApiKeySet
{
    public static readonly ApiKeySet Empty = new([]);

    private readonly ApiKey[] _keys;

    public ApiKeySet(ApiKey[] keys) => _keys = keys;

    public int Count => _keys.Length;

    public bool IsEmpty => _keys.Length == 0;

    public IReadOnlyList<ApiKey> Keys => _keys;

    /// <summary>
    /// The key whose hash is the SHA-256 of <paramref name="presented"/>, or null. Every configured hash is compared,
    /// in constant time, whether or not an earlier one matched.
    /// </summary>
    public ApiKey? Find(ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetMaxByteCount(presented.Length);
        byte[]? rented = null;
        var utf8 = length <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(presented, utf8);
            SHA256.HashData(utf8[..written], hash);
            utf8[..written].Clear();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        ApiKey? found = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(key.Sha256, hash))
            {
                found = key;
            }
        }

        return found;
    }
}
