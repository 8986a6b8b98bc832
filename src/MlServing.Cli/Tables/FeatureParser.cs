using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using MlServing.Inference.Tensors;
using nietras.SeparatedValues;

namespace MlServing.Cli.Tables;

/// <summary>
/// Turns one cell into one element of the model input's datatype, as the server's JSON reader does: no silent
/// rounding (1.5 is not an integer, 300 is not INT8), NaN and Infinity only where the model allows them.
/// </summary>
internal sealed class FeatureParser
{
    private static readonly SearchValues<char> DecimalNumber = SearchValues.Create("0123456789.eE+-");
    private readonly TensorDataType _type;
    private readonly bool _allowNonFinite;

    public FeatureParser(TensorDataType type, bool allowNonFinite)
    {
        if (!type.IsNumericOrBool())
        {
            throw new CliException($"the model's input is {type.ToProtocolName()}; file scoring fills numeric or BOOL inputs");
        }

        _type = type;
        _allowNonFinite = allowNonFinite;
        ElementSize = type.ElementSize();
    }

    public int ElementSize { get; }

    public string DataTypeName => _type.ToProtocolName();

    /// <summary>
    /// <see cref="Parse(ReadOnlySpan{char}, Span{byte})"/> for a CSV cell: FP32 and FP64 cells go through Sep's
    /// csFastFloat parser first (float parsing is most of a CSV scoring run's time); a cell it does not take (spaces
    /// around the number, not a number at all) goes the general way, which trims and explains the error.
    /// </summary>
    public string? Parse(SepReader.Col cell, Span<byte> element)
    {
        if (cell.Span.ContainsAnyExcept(DecimalNumber))
        {
            // Sep's parser reads "1,5" as a number; only plain decimal notation takes the fast way.
            return Parse(cell.Span, element);
        }

        switch (_type)
        {
            case TensorDataType.Float32 when cell.TryParse<float>() is { } f && (float.IsFinite(f) || _allowNonFinite):
                Write(element, f);
                return null;
            case TensorDataType.Float64 when cell.TryParse<double>() is { } d && (double.IsFinite(d) || _allowNonFinite):
                Write(element, d);
                return null;
            default:
                return Parse(cell.Span, element);
        }
    }

    /// <summary>Writes the element <paramref name="text"/> stands for into <paramref name="element"/>; returns why it cannot, or null.</summary>
    public string? Parse(ReadOnlySpan<char> text, Span<byte> element)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            return "the cell is empty";
        }

        const NumberStyles Integer = NumberStyles.AllowLeadingSign;
        var ok = _type switch
        {
            TensorDataType.Float32 => Finite(float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && Write(element, f), float.IsFinite(f)),
            TensorDataType.Float64 => Finite(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Write(element, d), double.IsFinite(d)),
            TensorDataType.Float16 => Finite(Half.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var h) && Write(element, h), Half.IsFinite(h)),
            TensorDataType.Int64 => long.TryParse(text, Integer, CultureInfo.InvariantCulture, out var l) && Write(element, l),
            TensorDataType.Int32 => int.TryParse(text, Integer, CultureInfo.InvariantCulture, out var i) && Write(element, i),
            TensorDataType.Int16 => short.TryParse(text, Integer, CultureInfo.InvariantCulture, out var s) && Write(element, s),
            TensorDataType.Int8 => sbyte.TryParse(text, Integer, CultureInfo.InvariantCulture, out var sb) && Write(element, sb),
            TensorDataType.UInt64 => ulong.TryParse(text, Integer, CultureInfo.InvariantCulture, out var ul) && Write(element, ul),
            TensorDataType.UInt32 => uint.TryParse(text, Integer, CultureInfo.InvariantCulture, out var ui) && Write(element, ui),
            TensorDataType.UInt16 => ushort.TryParse(text, Integer, CultureInfo.InvariantCulture, out var us) && Write(element, us),
            TensorDataType.UInt8 => byte.TryParse(text, Integer, CultureInfo.InvariantCulture, out var b) && Write(element, b),
            _ => ParseBool(text, element),
        };
        return ok switch
        {
            true => null,
            false => $"'{Shorten(text)}' is not {Describe()}",
            null => $"'{Shorten(text)}': NaN and Infinity are not accepted by this model (\"allowNonFinite\" in its config.json)",
        };
    }

    /// <summary>Writes a numeric cell of a typed file (Parquet) as the input's datatype; returns why it cannot, or null.</summary>
    public string? FromNumber(double value, Span<byte> element)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            if (!_type.IsFloatingPoint())
            {
                return $"{value.ToString(CultureInfo.InvariantCulture)} is not {Describe()}";
            }

            if (!_allowNonFinite)
            {
                return $"{value.ToString(CultureInfo.InvariantCulture)}: NaN and Infinity are not accepted by this model (\"allowNonFinite\" in its config.json)";
            }
        }

        var ok = _type switch
        {
            TensorDataType.Float32 => Write(element, (float)value),
            TensorDataType.Float64 => Write(element, value),
            TensorDataType.Float16 => Write(element, (Half)value),
            TensorDataType.Int64 => Integral(value, long.MinValue, long.MaxValue) && Write(element, (long)value),
            TensorDataType.Int32 => Integral(value, int.MinValue, int.MaxValue) && Write(element, (int)value),
            TensorDataType.Int16 => Integral(value, short.MinValue, short.MaxValue) && Write(element, (short)value),
            TensorDataType.Int8 => Integral(value, sbyte.MinValue, sbyte.MaxValue) && Write(element, (sbyte)value),
            TensorDataType.UInt64 => Integral(value, 0, ulong.MaxValue) && Write(element, (ulong)value),
            TensorDataType.UInt32 => Integral(value, 0, uint.MaxValue) && Write(element, (uint)value),
            TensorDataType.UInt16 => Integral(value, 0, ushort.MaxValue) && Write(element, (ushort)value),
            TensorDataType.UInt8 => Integral(value, 0, byte.MaxValue) && Write(element, (byte)value),
            _ => (value is 0 or 1) && Write(element, value == 1),
        };
        return ok ? null : $"{value.ToString(CultureInfo.InvariantCulture)} is not {Describe()}";
    }

    /// <summary>The element at <paramref name="index"/> of a built tensor, as a double (for profiles).</summary>
    public static double ToDouble(ReadOnlySpan<byte> elements, TensorDataType type, int index) => type switch
    {
        TensorDataType.Float32 => MemoryMarshal.Cast<byte, float>(elements)[index],
        TensorDataType.Float64 => MemoryMarshal.Cast<byte, double>(elements)[index],
        TensorDataType.Float16 => (double)MemoryMarshal.Cast<byte, Half>(elements)[index],
        TensorDataType.Int64 => MemoryMarshal.Cast<byte, long>(elements)[index],
        TensorDataType.Int32 => MemoryMarshal.Cast<byte, int>(elements)[index],
        TensorDataType.Int16 => MemoryMarshal.Cast<byte, short>(elements)[index],
        TensorDataType.Int8 => MemoryMarshal.Cast<byte, sbyte>(elements)[index],
        TensorDataType.UInt64 => MemoryMarshal.Cast<byte, ulong>(elements)[index],
        TensorDataType.UInt32 => MemoryMarshal.Cast<byte, uint>(elements)[index],
        TensorDataType.UInt16 => MemoryMarshal.Cast<byte, ushort>(elements)[index],
        _ => elements[index],
    };

    private bool? Finite(bool parsed, bool finite) => !parsed ? false : finite || _allowNonFinite ? true : null;

    private static bool Integral(double value, double min, double max) => value == Math.Floor(value) && value >= min && value <= max;

    private static bool Write<T>(Span<byte> element, T value)
        where T : unmanaged
    {
        MemoryMarshal.Write(element, in value);
        return true;
    }

    private static bool ParseBool(ReadOnlySpan<char> text, Span<byte> element) =>
        text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("1") ? Write(element, true)
        : (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("0")) && Write(element, false);

    private string Describe() => _type switch
    {
        TensorDataType.Bool => "a BOOL (true, false, 1 or 0)",
        _ when _type.IsFloatingPoint() => $"a number ({_type.ToProtocolName()})",
        _ => $"an integer in the range of {_type.ToProtocolName()}",
    };

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");
}
