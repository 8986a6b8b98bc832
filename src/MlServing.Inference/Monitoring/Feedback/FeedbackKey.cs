using System.Buffers;
using System.Globalization;

namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>
/// A stored prediction's key in <see cref="MemoryFeedbackStore"/>: the model and the request id. The server's own ids
/// (32 lowercase hex digits) are kept as their 128-bit number, so a stored prediction retains no string of its
/// own request (the store holds up to <c>FeedbackMaxEntries</c> of them for the TTL: retained strings would survive
/// every young collection); any other id (one the client sent) is kept as its text. Hashes the id only: one model
/// rarely shares an id with another.
/// </summary>
internal readonly struct FeedbackKey : IEquatable<FeedbackKey>
{
    private const int HexDigits = 32;
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
    private readonly string _model;
    private readonly UInt128 _number;
    private readonly string? _text;

    private FeedbackKey(string model, UInt128 number, string? text)
    {
        _model = model;
        _number = number;
        _text = text;
    }

    public static FeedbackKey Of(string model, string requestId) =>
        IsLowerHex(requestId) && UInt128.TryParse(requestId, NumberStyles.AllowHexSpecifier, null, out var number)
            ? new FeedbackKey(model, number, text: null)
            : new FeedbackKey(model, default, requestId);

    public bool Equals(FeedbackKey other) =>
        _number == other._number && string.Equals(_text, other._text, StringComparison.Ordinal) && string.Equals(_model, other._model, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is FeedbackKey other && Equals(other);

    public override int GetHashCode() => _text?.GetHashCode(StringComparison.Ordinal) ?? _number.GetHashCode();

    /// <summary>Exactly 32 digits 0-9a-f: the ids that map one to one onto a 128-bit number (upper case would not).</summary>
    private static bool IsLowerHex(string id) => id.Length == HexDigits && !id.AsSpan().ContainsAnyExcept(LowerHex);
}
