using System.Text.Json;

namespace MlServing.Client;

/// <summary>Either error format of the server: <c>{"error"}</c> (OIP) or problem+json (<c>/predict</c>).</summary>
internal sealed class ErrorBody
{
    public string? Error { get; init; }

    public string? Title { get; init; }

    public string? Detail { get; init; }

    public Dictionary<string, string[]>? Errors { get; init; }

    public string? Describe()
    {
        if (Error is { Length: > 0 })
        {
            return Error;
        }

        if (Errors is { Count: > 0 })
        {
            var parts = new List<string>(Errors.Count);
            foreach (var (field, messages) in Errors)
            {
                parts.Add($"{field}: {string.Join("; ", messages)}");
            }

            return string.Join(", ", parts);
        }

        return Detail ?? Title;
    }

    public static string? TryDescribe(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ClientJsonContext.Default.ErrorBody)?.Describe();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
