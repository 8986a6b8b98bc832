using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;

namespace MlServing.Inference.Pipeline;

/// <summary>
/// The request ids this process makes: 32 lowercase hex digits, a random per-process prefix then a counter, so ids
/// are unique across replicas and, within a process, sequential (the memory feedback store keeps its predictions in
/// a ring indexed by the counter).
/// </summary>
public static class ServerRequestIds
{
    public const int Length = 32;
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
    private static readonly ulong Prefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    public static string NewId() =>
        string.Create(Length, (ulong)Interlocked.Increment(ref _counter), static (text, n) =>
        {
            Prefix.TryFormat(text, out _, "x16", CultureInfo.InvariantCulture);
            n.TryFormat(text[16..], out _, "x16", CultureInfo.InvariantCulture);
        });

    /// <summary>The counter of an id this process made; false for any other id (another replica's, a client's).</summary>
    public static bool TryCounter(string id, out ulong counter)
    {
        counter = 0;
        return id.Length == Length
            && !id.AsSpan().ContainsAnyExcept(LowerHex)
            && ulong.Parse(id.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) == Prefix
            && ulong.TryParse(id.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out counter);
    }
}
