using MlServing.Inference.Serving;

namespace MlServing.Cli.Scoring;

/// <summary>How the CLI names request fields in engine errors: the feature columns of the file.</summary>
internal sealed class TableFields : IRequestFields
{
    private readonly string _columns;

    public TableFields(string[] features) =>
        _columns = "the feature columns (" + string.Join(", ", features.Take(6)) + (features.Length > 6 ? ", …)" : ")");

    public string Inputs => _columns;

    public string Input(int index, string name, InputPart part) => _columns;

    public string Output(int index) => "outputs";
}
