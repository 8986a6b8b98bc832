using System.Numerics;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;
using MlServing.Grpc.Inference;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Grpc;

/// <summary>
/// Builds the ModelInfer response: <c>raw_output_contents</c> in the raw layout when the request was raw (or an output
/// is FP16, which has no typed field), typed <c>contents</c> otherwise. A map output's keys travel in
/// <c>parameters["classes"]</c> as a JSON array of strings.
/// </summary>
internal static class ModelInferEncoder
{
    public static ModelInferResponse Encode(ModelInferRequest request, ModelVersion model, PooledTensor[] outputs)
    {
        var response = new ModelInferResponse { ModelName = model.Name, ModelVersion = model.VersionText, Id = request.Id };
        var raw = request.RawInputContents.Count > 0 || Array.Exists(outputs, o => o.DataType == TensorDataType.Float16);
        foreach (var output in outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DataType.ToProtocolName() };
            tensor.Shape.AddRange(output.Shape);
            if (output.Classes is { } classes)
            {
                tensor.Parameters.Add("classes", new InferParameter { StringParam = JsonSerializer.Serialize(classes, ApiJsonContext.Default.StringArray) });
            }

            if (raw)
            {
                var bytes = new byte[RawTensorCodec.EncodedLength(output)];
                RawTensorCodec.Encode(output, bytes);
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(bytes));
            }
            else
            {
                tensor.Contents = Typed(output);
            }

            response.Outputs.Add(tensor);
        }

        return response;
    }

    private static InferTensorContents Typed(PooledTensor output)
    {
        var contents = new InferTensorContents();
        switch (output.DataType)
        {
            case TensorDataType.Bool:
                contents.BoolContents.Capacity = output.ElementCount;
                foreach (var value in output.Bytes)
                {
                    contents.BoolContents.Add(value != 0);
                }

                break;
            case TensorDataType.Int8:
                Add(contents.IntContents, output.AsSpan<sbyte>());
                break;
            case TensorDataType.Int16:
                Add(contents.IntContents, output.AsSpan<short>());
                break;
            case TensorDataType.Int32:
                Add(contents.IntContents, output.AsSpan<int>());
                break;
            case TensorDataType.UInt8:
                Add(contents.UintContents, output.AsSpan<byte>());
                break;
            case TensorDataType.UInt16:
                Add(contents.UintContents, output.AsSpan<ushort>());
                break;
            case TensorDataType.UInt32:
                Add(contents.UintContents, output.AsSpan<uint>());
                break;
            case TensorDataType.Int64:
                Add(contents.Int64Contents, output.AsSpan<long>());
                break;
            case TensorDataType.UInt64:
                Add(contents.Uint64Contents, output.AsSpan<ulong>());
                break;
            case TensorDataType.Float32:
                Add(contents.Fp32Contents, output.AsSpan<float>());
                break;
            case TensorDataType.Float64:
                Add(contents.Fp64Contents, output.AsSpan<double>());
                break;
            default:
                foreach (var value in output.Strings)
                {
                    contents.BytesContents.Add(ByteString.CopyFromUtf8(value));
                }

                break;
        }

        return contents;
    }

    /// <summary>Appends the elements, widened to the field's type (INT8 and INT16 travel in int_contents, ...).</summary>
    private static void Add<TField, TElement>(RepeatedField<TField> field, ReadOnlySpan<TElement> values)
        where TField : INumber<TField>
        where TElement : INumber<TElement>
    {
        field.Capacity = values.Length;
        foreach (var value in values)
        {
            field.Add(TField.CreateTruncating(value));
        }
    }
}
