using System.Buffers;
using System.Globalization;

namespace MlServing.Cli.Tables;

/// <summary>
/// Writes CSV (or TSV) text cell by cell: a cell holding the separator, a quote or a line break is quoted with its
/// quotes doubled (as Sep escapes), numbers are formatted with the invariant culture (as Sep formats), rows end with
/// <c>\n</c>. Cells already in CSV form (a CSV input's line, passed through) are written as they are.
/// </summary>
internal sealed class CsvTextWriter
{
    private readonly TextWriter _text;
    private readonly char _separator;
    private readonly SearchValues<char> _special;
    private bool _inRow;

    public CsvTextWriter(TextWriter text, char separator)
    {
        _text = text;
        _separator = separator;
        _special = SearchValues.Create([separator, '"', '\r', '\n']);
    }

    /// <summary>One or more cells already in CSV form, separated by this writer's separator.</summary>
    public void Raw(ReadOnlySpan<char> cells)
    {
        Separate();
        _text.Write(cells);
    }

    public void Text(ReadOnlySpan<char> value)
    {
        Separate();
        if (value.IndexOfAny(_special) < 0)
        {
            _text.Write(value);
            return;
        }

        _text.Write('"');
        for (var quote = value.IndexOf('"'); quote >= 0; quote = value.IndexOf('"'))
        {
            _text.Write(value[..(quote + 1)]);
            _text.Write('"');
            value = value[(quote + 1)..];
        }

        _text.Write(value);
        _text.Write('"');
    }

    public void Number<T>(T value)
        where T : ISpanFormattable
    {
        Separate();
        Span<char> formatted = stackalloc char[64];
        if (value.TryFormat(formatted, out var written, default, CultureInfo.InvariantCulture))
        {
            _text.Write(formatted[..written]);
        }
        else
        {
            _text.Write(value.ToString(null, CultureInfo.InvariantCulture));
        }
    }

    public void EndRow()
    {
        _text.Write('\n');
        _inRow = false;
    }

    private void Separate()
    {
        if (_inRow)
        {
            _text.Write(_separator);
        }

        _inRow = true;
    }
}
