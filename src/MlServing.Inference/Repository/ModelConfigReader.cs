using System.Text.Json;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Repository;

/// <summary>Reads and validates a model folder's optional config.json; a bad one fails only that model.</summary>
internal static class ModelConfigReader
{
    public const string FileName = "config.json";

    private static readonly ModelConfigValidator Validator = new();

    /// <exception cref="ModelLoadException">The file is not valid JSON or breaks a rule; the message names the field.</exception>
    public static ModelConfig Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return ModelConfig.Empty;
        }

        ModelConfig? config;
        try
        {
            using var stream = File.OpenRead(path);
            config = JsonSerializer.Deserialize(stream, ModelConfigJsonContext.Default.ModelConfig);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"{FileName} is not valid: {ex.Message}", ex);
        }

        if (config is null)
        {
            throw new ModelLoadException($"{FileName} is empty (null)");
        }

        var result = Validator.Validate(config);
        if (!result.IsValid)
        {
            throw new ModelLoadException($"{FileName} is not valid: " + string.Join(" ", result.Errors.Select(e => e.ErrorMessage)));
        }

        return config;
    }
}
