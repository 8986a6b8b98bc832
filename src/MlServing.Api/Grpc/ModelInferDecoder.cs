using System.Globalization;
using Google.Protobuf.Collections;
using MlServing.Grpc.Inference;
using MlServing.Inference.Errors;
using MlServing.Inference.Tensors;

namespace MlServing.Api.Grpc;

/// <summary>
/// Decodes the inputs of a gRPC ModelInfer request into tensors: typed <c>contents</c> through a pooled builder, or
/// <c>raw_input_contents</c> in the raw layout (element-aligned numeric data is read in place from the message). Only
/// decode-level checks live here (field presence, datatype names, element and byte counts, BYTES length prefixes,
/// ranges); the engine checks the tensors against the model's signature.
/// </summary>
internal static class ModelInferDecoder
{
    /// <summary>Decodes every input, or returns the INVALID_ARGUMENT error naming the first bad field.</summary>
    public static InferenceError? Decode(ModelInferRequest request, out PooledTensor[] inputs)
    {
        var raw = request.RawInputContents;
        inputs = new PooledTensor[request.Inputs.Count];
        if (inputs.Length == 0)
        {
            return InferenceError.Invalid("inputs", "'inputs' must list at least one tensor");
        }

        if (raw.Count > 0 && raw.Count != inputs.Length)
        {
            return InferenceError.Invalid("raw_input_contents", string.Create(CultureInfo.InvariantCulture,
                $"raw_input_contents has {raw.Count} entries for {inputs.Length} inputs; give one per input, in the order of 'inputs'"));
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            var error = DecodeInput(request.Inputs[i], i, raw.Count > 0 ? raw[i] : null, out inputs[i]);
            if (error is not null)
            {
                Dispose(inputs);
                return error;
            }
        }

        return null;
    }

    /// <summary>Request <c>parameters</c>: <c>timeout</c> (microseconds, as Triton) is read, the others are ignored.</summary>
    public static InferenceError? ReadParameters(ModelInferRequest request, out long? timeoutMicroseconds)
    {
        timeoutMicroseconds = null;
        if (!request.Parameters.TryGetValue("timeout", out var timeout))
        {
            return null;
        }

        if (timeout.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.Int64Param && timeout.Int64Param >= 0)
        {
            timeoutMicroseconds = timeout.Int64Param;
            return null;
        }

        return timeout.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.Uint64Param
            ? Accept(timeout.Uint64Param, out timeoutMicroseconds)
            : InferenceError.Invalid("parameters.timeout", "'timeout' must be an int64_param of microseconds, not negative");

        static InferenceError? Accept(ulong value, out long? micros)
        {
            micros = (long)Math.Min(value, long.MaxValue);
            return null;
        }
    }

    private static InferenceError? DecodeInput(ModelInferRequest.Types.InferInputTensor input, int index, Google.Protobuf.ByteString? raw, out PooledTensor tensor)
    {
        tensor = null!;
        if (string.IsNullOrEmpty(input.Name))
        {
            return InferenceError.Invalid(GrpcFields.Field(index, "name"), "'name' is required");
        }

        if (!TensorDataTypes.TryParse(input.Datatype, out var type))
        {
            return InferenceError.Invalid(GrpcFields.Field(index, "datatype"), $"'{input.Datatype}' is not a datatype; use one of {string.Join(", ", TensorDataTypes.AllProtocolNames)}");
        }

        var shape = new long[input.Shape.Count];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = input.Shape[d];
            if (shape[d] < 0)
            {
                return InferenceError.Invalid(GrpcFields.Field(index, "shape"), "dimensions must be non-negative");
            }
        }

        var count = PooledTensor.CountElements(shape);
        if (count < 0)
        {
            return InferenceError.Invalid(GrpcFields.Field(index, "shape"), "the shape describes more elements than any request can carry");
        }

        if (raw is not null)
        {
            if (input.Contents is not null)
            {
                return InferenceError.Invalid(GrpcFields.Field(index, "contents"),
                    "the request has raw_input_contents, so no input may also have typed 'contents'; send every input one way");
            }

            var error = RawTensorCodec.DecodeInPlace(input.Name, type, shape, raw.Memory, out var decoded);
            if (error is not null)
            {
                return InferenceError.Invalid(GrpcFields.RawContents(index), $"input '{input.Name}' ({type.ToProtocolName()}, shape [{string.Join(',', shape)}]): {error}");
            }

            tensor = decoded!;
            return null;
        }

        var field = GrpcFields.Field(index, "contents");
        if (input.Contents is not { } contents)
        {
            return InferenceError.Invalid(field, "'contents' is required (or send the data of every input in raw_input_contents)");
        }

        if (type == TensorDataType.Float16)
        {
            return InferenceError.Invalid(field, "FP16 has no typed contents field; send FP16 data in raw_input_contents");
        }

        if (Stray(type, contents) is { } stray)
        {
            return InferenceError.Invalid(field, $"{type.ToProtocolName()} data goes in {ContentsField(type)}, but {stray} is set");
        }

        using var builder = new PooledTensorBuilder(type, (int)Math.Clamp(count, 4, 1 << 20));
        var message = Typed(type, contents, builder);
        if (message is null && builder.Count != count)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"shape [{string.Join(',', shape)}] needs {count} elements, {ContentsField(type)} has {builder.Count}");
        }

        if (message is not null)
        {
            return InferenceError.Invalid(field, message);
        }

        tensor = builder.Build(input.Name, shape);
        return null;
    }

    /// <summary>Appends the typed elements of <paramref name="type"/>'s field; returns what is wrong with one, or null.</summary>
    private static string? Typed(TensorDataType type, InferTensorContents contents, PooledTensorBuilder builder)
    {
        switch (type)
        {
            case TensorDataType.Bool:
                foreach (var value in contents.BoolContents)
                {
                    builder.Append(value ? (byte)1 : (byte)0);
                }

                return null;
            case TensorDataType.Int8:
                return Narrow(contents.IntContents, sbyte.MinValue, sbyte.MaxValue, type, builder, static (b, v) => b.Append((sbyte)v));
            case TensorDataType.Int16:
                return Narrow(contents.IntContents, short.MinValue, short.MaxValue, type, builder, static (b, v) => b.Append((short)v));
            case TensorDataType.Int32:
                return Narrow(contents.IntContents, int.MinValue, int.MaxValue, type, builder, static (b, v) => b.Append((int)v));
            case TensorDataType.UInt8:
                return Narrow(contents.UintContents, byte.MinValue, byte.MaxValue, type, builder, static (b, v) => b.Append((byte)v));
            case TensorDataType.UInt16:
                return Narrow(contents.UintContents, ushort.MinValue, ushort.MaxValue, type, builder, static (b, v) => b.Append((ushort)v));
            case TensorDataType.UInt32:
                return Narrow(contents.UintContents, uint.MinValue, uint.MaxValue, type, builder, static (b, v) => b.Append((uint)v));
            case TensorDataType.Int64:
                foreach (var value in contents.Int64Contents)
                {
                    builder.Append(value);
                }

                return null;
            case TensorDataType.UInt64:
                foreach (var value in contents.Uint64Contents)
                {
                    builder.Append(value);
                }

                return null;
            case TensorDataType.Float32:
                foreach (var value in contents.Fp32Contents)
                {
                    builder.Append(value);
                }

                return null;
            case TensorDataType.Float64:
                foreach (var value in contents.Fp64Contents)
                {
                    builder.Append(value);
                }

                return null;
            default:
                for (var i = 0; i < contents.BytesContents.Count; i++)
                {
                    if (!RawTensorCodec.TryDecodeText(contents.BytesContents[i].Span, out var text))
                    {
                        return RawTensorCodec.NotText(i);
                    }

                    builder.AppendString(text);
                }

                return null;
        }
    }

    private static string? Narrow<T>(RepeatedField<T> values, long min, long max, TensorDataType type, PooledTensorBuilder builder, Action<PooledTensorBuilder, long> append)
        where T : struct, IConvertible
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i].ToInt64(CultureInfo.InvariantCulture);
            if (value < min || value > max)
            {
                return string.Create(CultureInfo.InvariantCulture, $"element {i}: {value} is not a valid {type.ToProtocolName()} value (out of range)");
            }

            append(builder, value);
        }

        return null;
    }

    /// <summary>The typed field that carries <paramref name="type"/>.</summary>
    private static string ContentsField(TensorDataType type) => type switch
    {
        TensorDataType.Bool => "bool_contents",
        TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32 => "int_contents",
        TensorDataType.Int64 => "int64_contents",
        TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32 => "uint_contents",
        TensorDataType.UInt64 => "uint64_contents",
        TensorDataType.Float32 => "fp32_contents",
        TensorDataType.Float64 => "fp64_contents",
        _ => "bytes_contents",
    };

    /// <summary>A typed field other than <paramref name="type"/>'s that holds data (ambiguous contents), or null.</summary>
    private static string? Stray(TensorDataType type, InferTensorContents contents)
    {
        var own = ContentsField(type);
        return (contents.BoolContents.Count > 0 && own != "bool_contents") ? "bool_contents"
            : (contents.IntContents.Count > 0 && own != "int_contents") ? "int_contents"
            : (contents.Int64Contents.Count > 0 && own != "int64_contents") ? "int64_contents"
            : (contents.UintContents.Count > 0 && own != "uint_contents") ? "uint_contents"
            : (contents.Uint64Contents.Count > 0 && own != "uint64_contents") ? "uint64_contents"
            : (contents.Fp32Contents.Count > 0 && own != "fp32_contents") ? "fp32_contents"
            : (contents.Fp64Contents.Count > 0 && own != "fp64_contents") ? "fp64_contents"
            : (contents.BytesContents.Count > 0 && own != "bytes_contents") ? "bytes_contents"
            : null;
    }

    private static void Dispose(PooledTensor?[] tensors)
    {
        for (var i = 0; i < tensors.Length; i++)
        {
            tensors[i]?.Dispose();
            tensors[i] = null;
        }
    }
}
