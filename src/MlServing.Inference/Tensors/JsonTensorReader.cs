using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MlServing.Inference.Tensors;

/// <summary>
/// Reads JSON scalars and nested arrays straight into a <see cref="PooledTensorBuilder"/>, converting each
/// element to the model's data type as it goes. Width, range and NaN checks live here, inside the parsing
/// loop, so a bad element is reported once with its index and the rest of the payload is never boxed.
/// </summary>
public static class JsonTensorReader
{
    /// <summary>
    /// Reads the value the reader is positioned on (a scalar or an arbitrarily nested array). Returns null on
    /// success, otherwise a message naming the offending element. <paramref name="shape"/> receives the dims.
    /// </summary>
    public static string? ReadValue(ref Utf8JsonReader reader, PooledTensorBuilder builder, bool allowNonFinite, out NestedShape shape)
    {
        shape = default;
        Span<long> counts = stackalloc long[NestedShape.MaxRank];
        Span<bool> known = stackalloc bool[NestedShape.MaxRank];
        var level = -1;
        var scalarRank = -1;
        var maxLevel = -1;
        while (true)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    if (level >= 0)
                    {
                        counts[level]++;
                    }

                    level++;
                    if (level >= NestedShape.MaxRank)
                    {
                        return $"arrays nested deeper than {NestedShape.MaxRank} levels";
                    }

                    maxLevel = Math.Max(maxLevel, level);
                    counts[level] = 0;
                    break;

                case JsonTokenType.EndArray:
                    if (!known[level])
                    {
                        known[level] = true;
                        shape.Set(level, counts[level]);
                    }
                    else if (shape[level] != counts[level])
                    {
                        return $"ragged array: sub-arrays at depth {level} have {shape[level]} and {counts[level]} elements";
                    }

                    level--;
                    if (level < 0)
                    {
                        var rank = scalarRank >= 0 ? scalarRank : maxLevel + 1;
                        if (rank != maxLevel + 1)
                        {
                            return "ragged array: values and arrays are mixed at the same depth";
                        }

                        shape.Rank = rank;
                        return null;
                    }

                    break;

                case JsonTokenType.StartObject:
                    return $"element {builder.Count - builder.Origin}: expected {Describe(builder.DataType)}, got an object";

                default:
                    if (level >= 0)
                    {
                        counts[level]++;
                    }

                    if (scalarRank < 0)
                    {
                        scalarRank = level + 1;
                    }
                    else if (scalarRank != level + 1)
                    {
                        return "ragged array: values and arrays are mixed at the same depth";
                    }

                    var error = AppendElement(ref reader, builder, allowNonFinite);
                    if (error is not null)
                    {
                        return error;
                    }

                    if (level < 0)
                    {
                        shape.Rank = 0;
                        return null;
                    }

                    break;
            }

            if (!reader.Read())
            {
                return "unexpected end of JSON";
            }
        }
    }

    /// <summary>Reads one scalar token into the builder, converted to its data type.</summary>
    public static string? AppendElement(ref Utf8JsonReader reader, PooledTensorBuilder builder, bool allowNonFinite)
    {
        var type = builder.DataType;
        var token = reader.TokenType;
        switch (type)
        {
            case TensorDataType.Bytes:
                if (token != JsonTokenType.String)
                {
                    return ElementError(builder, "a string", token);
                }

                string text;
                try
                {
                    text = reader.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    // Invalid UTF-8 or an unpaired surrogate escape: the client's text, not a server fault.
                    return string.Create(CultureInfo.InvariantCulture, $"element {builder.Count - builder.Origin}: not valid Unicode text (invalid UTF-8 or an unpaired surrogate)");
                }

                builder.AppendString(text);
                return null;

            case TensorDataType.Bool:
                if (token is JsonTokenType.True or JsonTokenType.False)
                {
                    builder.Append(token == JsonTokenType.True);
                    return null;
                }

                if (token == JsonTokenType.Number && reader.TryGetInt32(out var flag) && flag is 0 or 1)
                {
                    builder.Append(flag == 1);
                    return null;
                }

                return ElementError(builder, "true or false", token);
        }

        if (type.IsFloatingPoint())
        {
            return AppendFloat(ref reader, builder, allowNonFinite);
        }

        if (token != JsonTokenType.Number)
        {
            return ElementError(builder, "an integer", token);
        }

        if (type == TensorDataType.UInt64)
        {
            if (reader.TryGetUInt64(out var unsigned) || (TryGetIntegral(ref reader, out var d) && d >= 0 && d < 18446744073709551616.0 && (unsigned = (ulong)d) == unsigned))
            {
                builder.Append(unsigned);
                return null;
            }

            return RangeError(builder, type);
        }

        if (!reader.TryGetInt64(out var value))
        {
            if (!TryGetIntegral(ref reader, out var d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
            {
                return RangeError(builder, type);
            }

            value = (long)d;
        }

        switch (type)
        {
            case TensorDataType.Int64:
                builder.Append(value);
                return null;
            case TensorDataType.Int32 when value is >= int.MinValue and <= int.MaxValue:
                builder.Append((int)value);
                return null;
            case TensorDataType.Int16 when value is >= short.MinValue and <= short.MaxValue:
                builder.Append((short)value);
                return null;
            case TensorDataType.Int8 when value is >= sbyte.MinValue and <= sbyte.MaxValue:
                builder.Append((sbyte)value);
                return null;
            case TensorDataType.UInt32 when value is >= 0 and <= uint.MaxValue:
                builder.Append((uint)value);
                return null;
            case TensorDataType.UInt16 when value is >= 0 and <= ushort.MaxValue:
                builder.Append((ushort)value);
                return null;
            case TensorDataType.UInt8 when value is >= 0 and <= byte.MaxValue:
                builder.Append((byte)value);
                return null;
            default:
                return RangeError(builder, type);
        }
    }

    private static string? AppendFloat(ref Utf8JsonReader reader, PooledTensorBuilder builder, bool allowNonFinite)
    {
        double value;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (builder.DataType == TensorDataType.Float32)
            {
                // Parse as float directly: double-then-float would round twice.
                if (!reader.TryGetSingle(out var single) || !float.IsFinite(single))
                {
                    return RangeError(builder, TensorDataType.Float32);
                }

                builder.Append(single);
                return null;
            }

            if (!reader.TryGetDouble(out value) || !double.IsFinite(value))
            {
                return RangeError(builder, builder.DataType);
            }
        }
        else if (reader.TokenType == JsonTokenType.String && TryParseNonFinite(reader.ValueSpan, out value))
        {
            if (!allowNonFinite)
            {
                return $"element {builder.Count - builder.Origin}: NaN and Infinity are not accepted by this model (set \"allowNonFinite\": true in its config.json)";
            }
        }
        else
        {
            return ElementError(builder, "a number", reader.TokenType);
        }

        switch (builder.DataType)
        {
            case TensorDataType.Float32:
                builder.Append((float)value);
                break;
            case TensorDataType.Float64:
                builder.Append(value);
                break;
            default:
                var half = (Half)value;
                if (Half.IsInfinity(half) && double.IsFinite(value))
                {
                    return RangeError(builder, TensorDataType.Float16);
                }

                builder.Append(half);
                break;
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryGetIntegral(ref Utf8JsonReader reader, out double value) =>
        reader.TryGetDouble(out value) && double.IsFinite(value) && Math.Floor(value) == value;

    private static bool TryParseNonFinite(ReadOnlySpan<byte> text, out double value)
    {
        if (text.SequenceEqual("NaN"u8) || text.SequenceEqual("nan"u8))
        {
            value = double.NaN;
            return true;
        }

        if (text.SequenceEqual("Infinity"u8) || text.SequenceEqual("inf"u8) || text.SequenceEqual("+Infinity"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (text.SequenceEqual("-Infinity"u8) || text.SequenceEqual("-inf"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }

        value = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string RangeError(PooledTensorBuilder builder, TensorDataType type) =>
        string.Create(CultureInfo.InvariantCulture, $"element {builder.Count - builder.Origin}: not a valid {type.ToProtocolName()} value (wrong kind of number or out of range)");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string ElementError(PooledTensorBuilder builder, string expected, JsonTokenType got) =>
        string.Create(CultureInfo.InvariantCulture, $"element {builder.Count - builder.Origin}: expected {expected}, got {Describe(got)}");

    private static string Describe(TensorDataType type) => type switch
    {
        TensorDataType.Bytes => "a string",
        TensorDataType.Bool => "true or false",
        _ => "a number",
    };

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}
