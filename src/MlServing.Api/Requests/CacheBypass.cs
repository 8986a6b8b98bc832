namespace MlServing.Api.Requests;

/// <summary><c>Cache-Control: no-cache</c> (or <c>no-store</c>) on a request skips the prediction cache.</summary>
internal static class CacheBypass
{
    public static bool Requested(HttpRequest request)
    {
        foreach (var value in request.Headers.CacheControl)
        {
            if (value is not null && (value.Contains("no-cache", StringComparison.OrdinalIgnoreCase) || value.Contains("no-store", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
