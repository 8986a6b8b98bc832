using System.Text.Json;

namespace MlServing.Api.Requests;

/// <summary>After a decoder stopped inside a JSON value, moves the reader to that value's last token, as a complete read would.</summary>
internal static class JsonValueEnd
{
    /// <param name="reader">Positioned anywhere inside the value.</param>
    /// <param name="depth">The <see cref="Utf8JsonReader.CurrentDepth"/> of the value's first token.</param>
    public static void SkipTo(ref Utf8JsonReader reader, int depth)
    {
        if (reader.CurrentDepth == depth)
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                reader.Skip();
            }

            return;
        }

        while (reader.CurrentDepth != depth || reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
        {
            reader.Read();
        }
    }
}
