using System.Globalization;
using MlServing.Inference.Serving;

namespace MlServing.Api.Grpc;

/// <summary>
/// How the gRPC ModelInfer request names its fields in errors: <c>inputs[0].datatype</c>, <c>inputs[0].shape</c>, and the
/// data as <c>inputs[0].contents</c> (typed) or <c>raw_input_contents[0]</c> (raw).
/// </summary>
internal sealed class GrpcFields : IRequestFields
{
    public static readonly GrpcFields Typed = new(raw: false);

    public static readonly GrpcFields Raw = new(raw: true);

    private readonly bool _raw;

    private GrpcFields(bool raw) => _raw = raw;

    public string Inputs => "inputs";

    public string Input(int index, string name, InputPart part) => part switch
    {
        InputPart.Name => Field(index, "name"),
        InputPart.Datatype => Field(index, "datatype"),
        InputPart.Data when _raw => RawContents(index),
        InputPart.Data => Field(index, "contents"),
        _ => Field(index, "shape"),
    };

    public string Output(int index) => string.Create(CultureInfo.InvariantCulture, $"outputs[{index}].name");

    public static string Field(int index, string member) => string.Create(CultureInfo.InvariantCulture, $"inputs[{index}].{member}");

    public static string RawContents(int index) => string.Create(CultureInfo.InvariantCulture, $"raw_input_contents[{index}]");
}
