using System.Text.Json;
using Google.Protobuf;
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
                contents.IntContents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<sbyte>())
                {
                    contents.IntContents.Add(value);
                }

                break;
            case TensorDataType.Int16:
                contents.IntContents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<short>())
                {
                    contents.IntContents.Add(value);
                }

                break;
            case TensorDataType.Int32:
                contents.IntContents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<int>())
                {
                    contents.IntContents.Add(value);
                }

                break;
            case TensorDataType.UInt8:
                contents.UintContents.Capacity = output.ElementCount;
                foreach (var value in output.Bytes)
                {
                    contents.UintContents.Add(value);
                }

                break;
            case TensorDataType.UInt16:
                contents.UintContents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<ushort>())
                {
                    contents.UintContents.Add(value);
                }

                break;
            case TensorDataType.UInt32:
                contents.UintContents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<uint>())
                {
                    contents.UintContents.Add(value);
                }

                break;
            case TensorDataType.Int64:
                contents.Int64Contents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<long>())
                {
                    contents.Int64Contents.Add(value);
                }

                break;
            case TensorDataType.UInt64:
                contents.Uint64Contents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<ulong>())
                {
                    contents.Uint64Contents.Add(value);
                }

                break;
            case TensorDataType.Float32:
                contents.Fp32Contents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<float>())
                {
                    contents.Fp32Contents.Add(value);
                }

                break;
            case TensorDataType.Float64:
                contents.Fp64Contents.Capacity = output.ElementCount;
                foreach (var value in output.AsSpan<double>())
                {
                    contents.Fp64Contents.Add(value);
                }

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
}
