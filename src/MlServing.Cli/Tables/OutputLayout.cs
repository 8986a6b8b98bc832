using MlServing.Cli.Scoring;
using Parquet.Schema;

namespace MlServing.Cli.Tables;

/// <summary>The output's columns: the input's, in order, then the predictions'.</summary>
internal sealed record OutputLayout(IReadOnlyList<string> InputColumns, IReadOnlyList<DataField> InputFields, PredictionColumns Predictions)
{
    public string[] Names => [.. InputColumns, .. Predictions.Names];

    public DataField[] Fields => [.. InputFields.Select(f => (DataField)f.Clone()), .. Predictions.Fields];
}
