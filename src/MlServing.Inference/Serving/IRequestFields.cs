namespace MlServing.Inference.Serving;

/// <summary>
/// How a front end names the parts of its request in error messages (<c>inputs[0].datatype</c> in the Open
/// Inference Protocol, <c>inputs.x</c> or <c>instances</c> in /predict). Called only when there is an error.
/// </summary>
public interface IRequestFields
{
    /// <summary>The field of input <paramref name="index"/> (request order) named <paramref name="name"/>.</summary>
    string Input(int index, string name, InputPart part);

    /// <summary>The field that lists the inputs (where a missing input is reported).</summary>
    string Inputs { get; }

    /// <summary>The field of requested output <paramref name="index"/>.</summary>
    string Output(int index);
}
