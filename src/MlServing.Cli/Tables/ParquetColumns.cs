using System.Globalization;
using System.Reflection;
using Parquet;
using Parquet.Schema;

namespace MlServing.Cli.Tables;

/// <summary>
/// Whole-column reads and writes of any flat Parquet column as a typed array (<c>T[]</c>, <c>T?[]</c> or
/// <c>string?[]</c>), whatever its type, so columns can be passed through unchanged.
/// </summary>
internal static class ParquetColumns
{
    private static readonly MethodInfo ReadValuesMethod = typeof(ParquetColumns).GetMethod(nameof(ReadValuesAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ReadNullablesMethod = typeof(ParquetColumns).GetMethod(nameof(ReadNullablesAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo WriteValuesMethod = typeof(ParquetColumns).GetMethod(nameof(WriteValuesAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo WriteNullablesMethod = typeof(ParquetColumns).GetMethod(nameof(WriteNullablesAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The element type of the array that holds <paramref name="field"/>'s values.</summary>
    public static Type ElementType(DataField field)
    {
        if (field.IsArray || field.ClrType == typeof(byte[]))
        {
            throw new CliException($"column '{field.Name}' is {(field.IsArray ? "a list" : "binary")}; only flat columns of values can be read");
        }

        if (IsText(field))
        {
            return typeof(string);
        }

        return field.ClrType.IsValueType && field.IsNullable ? typeof(Nullable<>).MakeGenericType(field.ClrType) : field.ClrType;
    }

    /// <summary>Text columns: Parquet.Net types them as string or as <see cref="ReadOnlyMemory{T}"/> of char.</summary>
    private static bool IsText(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    public static Array Allocate(DataField field, int rows) => Array.CreateInstance(ElementType(field), rows);

    public static async Task<Array> ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        if (IsText(field))
        {
            var strings = new string?[rows];
            await group.ReadAsync(field, strings.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return strings;
        }

        var method = (field.IsNullable ? ReadNullablesMethod : ReadValuesMethod).MakeGenericMethod(field.ClrType);
        return await ((Task<Array>)method.Invoke(null, [group, field, rows, cancellationToken])!).ConfigureAwait(false);
    }

    public static Task WriteAsync(ParquetRowGroupWriter group, DataField field, Array values, int count, CancellationToken cancellationToken)
    {
        if (values is string?[] strings)
        {
            return group.WriteAsync(field, new ArraySegment<string>(strings!, 0, count), null);
        }

        var method = (field.IsNullable ? WriteNullablesMethod : WriteValuesMethod).MakeGenericMethod(field.ClrType);
        return (Task)method.Invoke(null, [group, field, values, count, cancellationToken])!;
    }

    /// <summary>A passed-through value as CSV text: numbers round-trip, times in ISO 8601, null as an empty cell.</summary>
    public static string? FormatValue(object? value) => value switch
    {
        null => null,
        string text => text,
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static async Task<Array> ReadValuesAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T[rows];
        await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        return values;
    }

    private static async Task<Array> ReadNullablesAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T?[rows];
        await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        return values;
    }

    private static Task WriteValuesAsync<T>(ParquetRowGroupWriter group, DataField field, Array values, int count, CancellationToken cancellationToken)
        where T : struct => group.WriteAsync(field, new ReadOnlyMemory<T>((T[])values, 0, count), null, null, cancellationToken);

    private static Task WriteNullablesAsync<T>(ParquetRowGroupWriter group, DataField field, Array values, int count, CancellationToken cancellationToken)
        where T : struct => group.WriteAsync(field, new ReadOnlyMemory<T?>((T?[])values, 0, count), null, null, cancellationToken);
}
