using System.Globalization;
using MlServing.Api.Requests;
using MlServing.Inference.Errors;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>
/// The raw tensor data after the JSON header of a binary tensor request (<c>Inference-Header-Content-Length</c>): each
/// input with <c>parameters.binary_data_size</c> takes the next that many bytes, in the order of <c>inputs</c>.
/// Element-aligned numeric data becomes the input tensor in place, without a copy.
/// </summary>
internal sealed class BinaryInputs
{
    private readonly RequestBody _body;
    private readonly int _start;
    private readonly int _length;
    private int _taken;

    public BinaryInputs(RequestBody body, int jsonLength)
    {
        _body = body;
        _start = jsonLength;
        _length = body.Length - jsonLength;
    }

    /// <summary>Bytes no input has claimed (after every input was read: an error).</summary>
    public int Remaining => _length - _taken;

    /// <summary>Passes over the next <paramref name="size"/> bytes (an input that cannot be decoded), or returns why they are not there.</summary>
    public InferenceError? Skip(string field, long size)
    {
        if (size > Remaining)
        {
            return InferenceError.Invalid(field + ".parameters.binary_data_size", string.Create(CultureInfo.InvariantCulture,
                $"binary_data_size is {size} bytes, but only {Remaining} bytes of binary data are left after the JSON header and the inputs before it"));
        }

        _taken += (int)size;
        return null;
    }

    /// <summary>
    /// Takes the next <paramref name="size"/> bytes for an input. Data that runs past the body is a
    /// <paramref name="structural"/> error (the inputs after it cannot be located); data that does not fit the datatype
    /// and shape is a data error (returned).
    /// </summary>
    public InferenceError? Take(string field, string name, TensorDataType type, long[] shape, long size, out PooledTensor? tensor, out InferenceError? structural)
    {
        tensor = null;
        var offset = _start + _taken;
        structural = Skip(field, size);
        if (structural is not null)
        {
            return null;
        }

        var data = _body.Span.Slice(offset, (int)size);
        if (type != TensorDataType.Bytes && PooledTensor.CountElements(shape) is var count and >= 0 && count * type.ElementSize() != size)
        {
            return InferenceError.Invalid(field + ".parameters.binary_data_size", string.Create(CultureInfo.InvariantCulture,
                $"binary_data_size is {size} bytes, but shape [{string.Join(',', shape)}] of {type.ToProtocolName()} needs {count * type.ElementSize()}"));
        }

        var error = RawTensorCodec.Check(type, shape, data);
        if (error is not null)
        {
            return InferenceError.Invalid(field, "binary data: " + error);
        }

        var absolute = _body.Start + offset;
        if (RawTensorCodec.IsAligned(type, absolute))
        {
            tensor = _body.Share().View(name, type, shape, absolute, (int)size);
            return null;
        }

        error = RawTensorCodec.Decode(name, type, shape, data, out tensor);
        return error is null ? null : InferenceError.Invalid(field, "binary data: " + error);
    }
}
