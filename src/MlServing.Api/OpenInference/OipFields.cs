using System.Globalization;
using MlServing.Inference.Serving;

namespace MlServing.Api.OpenInference;

/// <summary>How the Open Inference Protocol names request fields in errors: <c>inputs[0].datatype</c>, <c>outputs[1].name</c>.</summary>
internal sealed class OipFields : IRequestFields
{
    public static readonly OipFields Instance = new();

    public string Inputs => "inputs";

    public string Input(int index, string name, InputPart part) => string.Create(CultureInfo.InvariantCulture, $"inputs[{index}].{part switch
    {
        InputPart.Name => "name",
        InputPart.Datatype => "datatype",
        InputPart.Data => "data",
        _ => "shape",
    }}");

    public string Output(int index) => string.Create(CultureInfo.InvariantCulture, $"outputs[{index}].name");
}
