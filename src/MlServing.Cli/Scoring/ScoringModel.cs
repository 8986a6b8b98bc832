using System.Globalization;
using MlServing.Client.OpenInference;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Cli.Scoring;

/// <summary>
/// What scoring a table needs to know about a model version: its single 2-D input (name, datatype, width), the
/// column name of each feature (config.json <c>features</c>, or "0", "1", … without it) and the class labels.
/// </summary>
internal sealed class ScoringModel
{
    public required string Name { get; init; }

    public required string InputName { get; init; }

    public required TensorDataType InputType { get; init; }

    /// <summary>The column that feeds each position of the input row, in input order.</summary>
    public required string[] Features { get; init; }

    /// <summary>Whether <see cref="Features"/> came from config.json (else the columns must be named 0 … N-1).</summary>
    public required bool FeaturesConfigured { get; init; }

    public string[]? Labels { get; init; }

    public bool AllowNonFinite { get; init; }

    /// <summary>From a loaded model version (in-process scoring).</summary>
    public static ScoringModel FromVersion(ModelVersion version)
    {
        var signature = version.Signature;
        var width = CheckTableInput(version.Name, signature.Inputs.Length, signature.Inputs[0].Name, signature.Inputs[0].Shape, version.Config.Features);
        return new ScoringModel
        {
            Name = version.Name,
            InputName = signature.Inputs[0].Name,
            InputType = signature.Inputs[0].DataType,
            Features = version.Config.Features ?? IndexNames(width),
            FeaturesConfigured = version.Config.Features is not null,
            Labels = version.Labels,
            AllowNonFinite = version.AllowNonFinite,
        };
    }

    /// <summary>From a server's model metadata and, when the repository is at hand, the model's config.json.</summary>
    public static ScoringModel FromMetadata(ModelMetadata metadata, ModelConfig config)
    {
        var input = metadata.Inputs.Count > 0 ? metadata.Inputs[0] : null;
        var width = CheckTableInput(metadata.Name, metadata.Inputs.Count, input?.Name ?? string.Empty, input?.Shape ?? [], config.Features);
        if (!TensorDataTypes.TryParse(input!.Datatype, out var type))
        {
            throw new CliException($"model '{metadata.Name}': the server gives input '{input.Name}' the unknown datatype '{input.Datatype}'");
        }

        return new ScoringModel
        {
            Name = metadata.Name,
            InputName = input.Name,
            InputType = type,
            Features = config.Features ?? IndexNames(width),
            FeaturesConfigured = config.Features is not null,
            Labels = config.Labels,
            AllowNonFinite = config.AllowNonFinite,
        };
    }

    /// <summary>Checks the model takes one table ([rows, columns], dynamic rows) and returns its width.</summary>
    private static long CheckTableInput(string model, int inputs, string name, long[] shape, string[]? features)
    {
        if (inputs != 1 || shape.Length != 2)
        {
            throw new CliException($"model '{model}' does not take a table: scoring rows of a file needs exactly one input of shape [rows, columns] (it has {inputs} input(s){(inputs == 1 ? $", '{name}' of rank {shape.Length}" : string.Empty)}); send such models their tensors through the server's APIs instead");
        }

        if (shape[0] >= 0)
        {
            throw new CliException($"model '{model}' takes exactly {shape[0]} row(s) per call (input '{name}' has a fixed batch dimension); file scoring needs a dynamic one");
        }

        if (shape[1] < 0 && features is null)
        {
            throw new CliException($"model '{model}': input '{name}' has no fixed number of columns and config.json names no 'features', so the columns of a file cannot be matched to it");
        }

        if (features is not null && shape[1] >= 0 && features.Length != shape[1])
        {
            throw new CliException($"model '{model}': config.json names {features.Length} features but input '{name}' has {shape[1]} columns");
        }

        return shape[1] >= 0 ? shape[1] : features!.Length;
    }

    private static string[] IndexNames(long width)
    {
        var names = new string[width];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        return names;
    }
}
