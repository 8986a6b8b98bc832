namespace MlServing.Inference.Errors;

/// <summary>
/// An expected failure: its kind, a message for the caller, and the messages per field path (<c>instances[3]</c>,
/// <c>inputs[0].datatype</c>) when the request itself is at fault. Front ends write it in their own format.
/// </summary>
public sealed class InferenceError
{
    private InferenceError(InferenceErrorKind kind, string message, IReadOnlyDictionary<string, string[]>? fields)
    {
        Kind = kind;
        Message = message;
        Fields = fields;
    }

    public InferenceErrorKind Kind { get; }

    /// <summary>One line for the caller; for field errors, every field and its messages.</summary>
    public string Message { get; }

    /// <summary>Messages keyed by field path; null when no field is to blame.</summary>
    public IReadOnlyDictionary<string, string[]>? Fields { get; }

    /// <summary>Seconds the caller should wait before retrying (queue full, rate limited, unavailable).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static InferenceError Of(InferenceErrorKind kind, string message) => new(kind, message, null);

    public static InferenceError Field(InferenceErrorKind kind, string field, string message) =>
        new(kind, field + ": " + message, new Dictionary<string, string[]>(1, StringComparer.Ordinal) { [field] = [message] });

    public static InferenceError Invalid(string field, string message) => Field(InferenceErrorKind.InvalidInput, field, message);

    public static InferenceError Invalid(IReadOnlyDictionary<string, string[]> fields)
    {
        var parts = new List<string>(fields.Count);
        foreach (var (field, messages) in fields)
        {
            parts.Add(field + ": " + string.Join(" ", messages));
        }

        return new(InferenceErrorKind.InvalidInput, string.Join("; ", parts), fields);
    }

    public static InferenceError TooLarge(string field, string message) => Field(InferenceErrorKind.TooLarge, field, message);

    public static InferenceError NotFound(string message) => new(InferenceErrorKind.NotFound, message, null);

    public static InferenceError Unavailable(string message) => Retryable(InferenceErrorKind.Unavailable, message, 1);

    public static InferenceError Retryable(InferenceErrorKind kind, string message, int retryAfterSeconds) =>
        new(kind, message, null) { RetryAfterSeconds = retryAfterSeconds };

    public override string ToString() => $"{Kind}: {Message}";
}
