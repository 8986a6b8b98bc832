using MlServing.Inference.Serving;

namespace MlServing.Api.Predict;

/// <summary>How /predict names request fields in errors: <c>instances</c> for rows, <c>inputs.&lt;name&gt;</c> for named tensors.</summary>
internal sealed class PredictFields : IRequestFields
{
    public static readonly PredictFields Rows = new(rows: true);

    public static readonly PredictFields Tensors = new(rows: false);

    private readonly bool _rows;

    private PredictFields(bool rows) => _rows = rows;

    public string Inputs => _rows ? "instances" : "inputs";

    public string Input(int index, string name, InputPart part) =>
        _rows ? "instances" : part == InputPart.Name ? "inputs" : "inputs." + name;

    public string Output(int index) => "outputs";
}
