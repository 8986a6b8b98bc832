using System.Text.Json;

namespace MlServing.Api.Security;

/// <summary>Reads <c>MlServing:Auth:KeysFile</c>; a file that cannot be read or parsed is an error naming the file, never a partial key list.</summary>
internal static class ApiKeysFile
{
    /// <summary>Largest keys file read; a bigger one is a mistake (a wrong path), not a key list.</summary>
    private const long MaxBytes = 4 * 1024 * 1024;

    public static string? Read(string path, out IList<ApiKeyConfig>? keys)
    {
        keys = null;
        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return $"{path}: the keys file does not exist (MlServing:Auth:KeysFile)";
            }

            if (info.Length > MaxBytes)
            {
                return $"{path}: the keys file has {info.Length} bytes; the limit is {MaxBytes}";
            }

            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{path}: the keys file cannot be read: {ex.Message}";
        }

        ApiKeysDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(content, SecurityJsonContext.Default.ApiKeysDocument);
        }
        catch (JsonException ex)
        {
            // The reader's message names the line and position, never the content.
            return $"{path}: the keys file is not valid JSON of the form {{\"keys\": [...]}}: {ex.Message}";
        }

        if (document?.Keys is not { } list)
        {
            return $"{path}: the keys file needs a \"keys\" array ({{\"keys\": []}} for none)";
        }

        keys = list;
        return null;
    }
}
