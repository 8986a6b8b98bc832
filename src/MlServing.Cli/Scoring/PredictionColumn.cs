using MlServing.Inference.Tensors;

namespace MlServing.Cli.Scoring;

/// <summary>
/// One prediction column of the output: element <see cref="Offset"/> of each row of output <see cref="Output"/>
/// (a row being <see cref="RowWidth"/> elements), written as a class name when <see cref="IsLabel"/>.
/// </summary>
internal sealed record PredictionColumn(string Name, int Output, int Offset, int RowWidth, TensorDataType DataType, bool IsLabel);
