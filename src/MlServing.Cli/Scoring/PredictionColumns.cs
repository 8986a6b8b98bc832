using System.Globalization;
using MlServing.Cli.Tables;
using MlServing.Inference.Tensors;
using Parquet.Schema;

namespace MlServing.Cli.Scoring;

/// <summary>
/// The prediction columns appended to every output row, laid out from the model's outputs: with <c>labels</c>
/// configured, a class-index output becomes <c>label</c> (the class name) and a probability output
/// <c>probability_&lt;class&gt;</c>; a map output (ZipMap) becomes <c>probability_&lt;key&gt;</c>; any other output one
/// column named after it, or <c>&lt;output&gt;_&lt;j&gt;</c> per element of a row. A name already taken by an input
/// column gets the prefix <c>predicted_</c>.
/// </summary>
internal sealed class PredictionColumns
{
    private readonly string[]? _labels;

    private PredictionColumns(PredictionColumn[] columns, string[]? labels)
    {
        Columns = columns;
        _labels = labels;
        Fields = Array.ConvertAll(columns, c => new DataField(c.Name, ParquetType(c), isNullable: false));
    }

    public IReadOnlyList<PredictionColumn> Columns { get; }

    /// <summary>The Parquet type of each prediction column.</summary>
    public IReadOnlyList<DataField> Fields { get; }

    public IEnumerable<string> Names => Columns.Select(c => c.Name);

    /// <summary>Lays the columns out from the first answer's outputs (their shapes and map keys are then known).</summary>
    public static PredictionColumns Create(PooledTensor[] outputs, int rows, string[]? labels, IReadOnlyList<string> inputColumns)
    {
        var taken = new HashSet<string>(inputColumns, StringComparer.Ordinal);
        var columns = new List<PredictionColumn>();
        for (var o = 0; o < outputs.Length; o++)
        {
            var output = outputs[o];
            var shape = output.Shape;
            if (shape.Length == 0 || shape[0] != rows)
            {
                throw new CliException($"output '{output.Name}' has shape [{string.Join(',', shape)}], not one row per input row; file scoring needs per-row outputs");
            }

            var width = 1;
            for (var d = 1; d < shape.Length; d++)
            {
                width *= (int)shape[d];
            }

            var type = output.DataType;
            if (shape.Length == 1)
            {
                var isLabel = labels is not null && type.IsInteger();
                columns.Add(new PredictionColumn(Unique(isLabel ? "label" : output.Name, taken), o, 0, 1, type, isLabel));
                continue;
            }

            var keys = output.Classes
                ?? (labels is not null && shape.Length == 2 && width == labels.Length && type.IsFloatingPoint() ? labels : null);
            for (var j = 0; j < width; j++)
            {
                var name = keys is not null ? "probability_" + keys[j]
                    : width == 1 ? output.Name
                    : output.Name + "_" + j.ToString(CultureInfo.InvariantCulture);
                columns.Add(new PredictionColumn(Unique(name, taken), o, j, width, type, false));
            }
        }

        return new PredictionColumns([.. columns], labels);
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (var attempt = 2; !taken.Add(candidate); attempt++)
        {
            candidate = attempt == 2 ? "predicted_" + name : $"predicted_{name}_{attempt}";
        }

        return candidate;
    }

    /// <summary>Writes row <paramref name="row"/>'s predictions as the CSV row's next cells.</summary>
    public void WriteCsv(PooledTensor[] outputs, int row, CsvTextWriter target)
    {
        for (var c = 0; c < Columns.Count; c++)
        {
            var column = Columns[c];
            var output = outputs[column.Output];
            var index = (row * column.RowWidth) + column.Offset;
            if (column.IsLabel)
            {
                target.Text(Label(output, index));
                continue;
            }

            switch (column.DataType)
            {
                case TensorDataType.Float32: target.Number(output.AsSpan<float>()[index]); break;
                case TensorDataType.Float64: target.Number(output.AsSpan<double>()[index]); break;
                case TensorDataType.Float16: target.Number((float)output.AsSpan<Half>()[index]); break;
                case TensorDataType.Int64: target.Number(output.AsSpan<long>()[index]); break;
                case TensorDataType.Int32: target.Number(output.AsSpan<int>()[index]); break;
                case TensorDataType.Int16: target.Number(output.AsSpan<short>()[index]); break;
                case TensorDataType.Int8: target.Number(output.AsSpan<sbyte>()[index]); break;
                case TensorDataType.UInt64: target.Number(output.AsSpan<ulong>()[index]); break;
                case TensorDataType.UInt32: target.Number(output.AsSpan<uint>()[index]); break;
                case TensorDataType.UInt16: target.Number(output.AsSpan<ushort>()[index]); break;
                case TensorDataType.UInt8: target.Number(output.AsSpan<byte>()[index]); break;
                case TensorDataType.Bool: target.Text(output.AsSpan<bool>()[index] ? "true" : "false"); break;
                default: target.Text(output.Strings[index]); break;
            }
        }
    }

    /// <summary>Column <paramref name="c"/>'s values for <paramref name="rows"/> rows, as an array of its Parquet type.</summary>
    public Array Values(int c, PooledTensor[] outputs, int rows)
    {
        var column = Columns[c];
        var output = outputs[column.Output];
        if (column.IsLabel)
        {
            var labels = new string[rows];
            for (var r = 0; r < rows; r++)
            {
                labels[r] = Label(output, (r * column.RowWidth) + column.Offset);
            }

            return labels;
        }

        return column.DataType switch
        {
            TensorDataType.Float32 => Gather<float>(output, column, rows),
            TensorDataType.Float64 => Gather<double>(output, column, rows),
            TensorDataType.Float16 => Array.ConvertAll(Gather<Half>(output, column, rows), h => (float)h),
            TensorDataType.Int64 => Gather<long>(output, column, rows),
            TensorDataType.Int32 => Gather<int>(output, column, rows),
            TensorDataType.Int16 => Gather<short>(output, column, rows),
            TensorDataType.Int8 => Gather<sbyte>(output, column, rows),
            TensorDataType.UInt64 => Gather<ulong>(output, column, rows),
            TensorDataType.UInt32 => Gather<uint>(output, column, rows),
            TensorDataType.UInt16 => Gather<ushort>(output, column, rows),
            TensorDataType.UInt8 => Gather<byte>(output, column, rows),
            TensorDataType.Bool => Gather<bool>(output, column, rows),
            _ => GatherStrings(output, column, rows),
        };
    }

    private string Label(PooledTensor output, int index)
    {
        var value = output.ReadInteger(index);
        return value >= 0 && value < _labels!.Length ? _labels[value] : value.ToString(CultureInfo.InvariantCulture);
    }

    private static T[] Gather<T>(PooledTensor output, PredictionColumn column, int rows)
        where T : unmanaged
    {
        var span = output.AsSpan<T>();
        var values = new T[rows];
        for (var r = 0; r < rows; r++)
        {
            values[r] = span[(r * column.RowWidth) + column.Offset];
        }

        return values;
    }

    private static string[] GatherStrings(PooledTensor output, PredictionColumn column, int rows)
    {
        var span = output.Strings;
        var values = new string[rows];
        for (var r = 0; r < rows; r++)
        {
            values[r] = span[(r * column.RowWidth) + column.Offset];
        }

        return values;
    }

    private static Type ParquetType(PredictionColumn column) => column.IsLabel ? typeof(string) : column.DataType switch
    {
        TensorDataType.Float32 or TensorDataType.Float16 => typeof(float),
        TensorDataType.Float64 => typeof(double),
        TensorDataType.Int64 => typeof(long),
        TensorDataType.Int32 => typeof(int),
        TensorDataType.Int16 => typeof(short),
        TensorDataType.Int8 => typeof(sbyte),
        TensorDataType.UInt64 => typeof(ulong),
        TensorDataType.UInt32 => typeof(uint),
        TensorDataType.UInt16 => typeof(ushort),
        TensorDataType.UInt8 => typeof(byte),
        TensorDataType.Bool => typeof(bool),
        _ => typeof(string),
    };
}
