namespace MlServing.Api.Validation;

/// <summary>The one "missing input(s)" message of both APIs; nothing is allocated when every input is given.</summary>
internal static class MissingInputs
{
    public static string? Describe(string[] inputNames, ReadOnlySpan<bool> given)
    {
        if (given.IndexOf(false) < 0)
        {
            return null;
        }

        var missing = new List<string>();
        for (var i = 0; i < inputNames.Length; i++)
        {
            if (!given[i])
            {
                missing.Add(inputNames[i]);
            }
        }

        return $"missing input(s): {string.Join(", ", missing)}";
    }
}
