using System.Text.Json;
using MlServing.Inference.Errors;

namespace MlServing.Api.Requests;

/// <summary>The member rules every JSON request body shares: each member at most once, strings where strings belong.</summary>
internal static class JsonMembers
{
    /// <summary>A repeated member would be read last-wins while a proxy may have checked the first: it is refused.</summary>
    public static InferenceError GivenTwice(string field) => InferenceError.Invalid(field, $"'{field}' is given more than once");

    /// <summary>Reads the string value of the member the reader is on into <paramref name="value"/>, which must still be unset.</summary>
    public static InferenceError? ReadString(ref Utf8JsonReader reader, string field, ref string? value)
    {
        if (value is not null)
        {
            return GivenTwice(field);
        }

        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            return InferenceError.Invalid(field, $"'{field}' must be a string");
        }

        value = reader.GetString();
        return null;
    }
}
