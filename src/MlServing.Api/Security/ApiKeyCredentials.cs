namespace MlServing.Api.Security;

/// <summary>
/// Finds the one key a request presents: <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-API-Key: &lt;key&gt;</c>. Anything
/// ambiguous is refused: a repeated header, another Authorization scheme, an empty or over-long key, or a Bearer key and
/// an X-API-Key that differ. Messages never repeat what was sent.
/// </summary>
internal static class ApiKeyCredentials
{
    public const string Missing = "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'";

    /// <summary>
    /// Returns why the headers are refused, or null with <paramref name="key"/> set (empty when none was sent): a slice
    /// of the header's value, so nothing is copied per request.
    /// </summary>
    public static string? Read(IHeaderDictionary headers, out ReadOnlySpan<char> key)
    {
        key = default;
        var authorization = headers.Authorization;
        var apiKey = headers[ApiKeyDefaults.HeaderName];
        if (authorization.Count > 1 || apiKey.Count > 1)
        {
            return "the request repeats the Authorization or X-API-Key header; send one key once";
        }

        ReadOnlySpan<char> bearer = default;
        if (authorization.Count == 1)
        {
            var value = authorization[0].AsSpan().Trim();
            if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return "the Authorization header must be 'Bearer <key>'";
            }

            var token = value[7..].Trim();
            if (token.IsEmpty)
            {
                return "the Bearer key is empty";
            }

            if (token.Length > ApiKeyDefaults.MaxKeyLength)
            {
                return "the Bearer key is too long to be an API key";
            }

            bearer = token;
        }

        ReadOnlySpan<char> header = default;
        if (apiKey.Count == 1)
        {
            var value = apiKey[0].AsSpan().Trim();
            if (value.IsEmpty)
            {
                return "the X-API-Key header is empty";
            }

            if (value.Length > ApiKeyDefaults.MaxKeyLength)
            {
                return "the X-API-Key header is too long to be an API key";
            }

            header = value;
        }

        if (!bearer.IsEmpty && !header.IsEmpty && !bearer.SequenceEqual(header))
        {
            return "the request carries two different API keys (Authorization and X-API-Key); send one";
        }

        key = bearer.IsEmpty ? header : bearer;
        return null;
    }
}
