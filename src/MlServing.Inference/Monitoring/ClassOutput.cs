using System.Collections.Concurrent;
using System.Globalization;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Monitoring;

/// <summary>
/// A classifier output (one class index or label per row): turns each row's prediction into a dense class id, counts
/// predictions per class, and knows the id's cell in the drift window when the profile lists the output. A class is
/// named by its label when config.json has <c>labels</c>, by its index otherwise, or is the model's own string. At most
/// <c>MaxClasses</c> distinct classes are kept; the rest count as <see cref="OtherClass"/>. Names are made once per
/// class; counting allocates nothing.
/// </summary>
internal sealed class ClassOutput
{
    public const string OtherClass = "__other__";

    private readonly string[]? _labels;
    private readonly int _other;
    private readonly string?[] _names;
    private readonly int[] _cells;
    private readonly long[] _counts;
    private readonly Dictionary<string, int>? _profileSlots;
    private readonly ConcurrentDictionary<string, int>? _stringIds;
    private readonly Lock _lock = new();
    private int _nextStringId;

    public ClassOutput(TensorSpec spec, int outputIndex, string[]? labels, int maxClasses, OutputProfile? profile, int firstCell)
    {
        Name = spec.Name;
        OutputIndex = outputIndex;
        _labels = spec.DataType == TensorDataType.Bytes ? null : labels;
        var capacity = Math.Max(maxClasses, _labels?.Length ?? 0);
        _other = capacity;
        _names = new string?[capacity + 1];
        _cells = new int[capacity + 1];
        _counts = new long[capacity + 1];
        _stringIds = spec.DataType == TensorDataType.Bytes ? new ConcurrentDictionary<string, int>(StringComparer.Ordinal) : null;
        FirstCell = firstCell;
        if (profile is not null)
        {
            _profileSlots = new Dictionary<string, int>(StringComparer.Ordinal);
            Expected = new double[profile.Classes.Count + 1];
            foreach (var (name, share) in profile.Classes)
            {
                Expected[_profileSlots.Count] = share;
                _profileSlots[name] = _profileSlots.Count;
            }
        }

        Define(_other, OtherClass);
        if (_labels is not null)
        {
            for (var i = 0; i < _labels.Length; i++)
            {
                Define(i, _labels[i]);
            }
        }
    }

    public string Name { get; }

    /// <summary>Index of the output in the model signature.</summary>
    public int OutputIndex { get; }

    /// <summary>Reference share per drift cell (the profile's classes, then one cell for classes it does not list); null without a profile.</summary>
    public double[]? Expected { get; }

    public int FirstCell { get; }

    public int Cells => Expected?.Length ?? 0;

    /// <summary>Whether a tensor with this spec is a class output: integer or string, one value per row.</summary>
    public static bool Applies(TensorSpec spec) =>
        !spec.IsMapSequence
        && (spec.DataType.IsInteger() || spec.DataType == TensorDataType.Bytes)
        && (spec.Rank == 1 || (spec.Rank == 2 && spec.Shape[1] == 1));

    /// <summary>The class id of row <paramref name="row"/> of <paramref name="output"/>.</summary>
    public int ClassOf(PooledTensor output, int row)
    {
        if (_stringIds is not null)
        {
            var value = output.Strings[row];
            return _stringIds.TryGetValue(value, out var known) ? known : AddString(value);
        }

        var index = output.ReadInteger(row);
        if (index < 0 || index >= _other || (_labels is not null && index >= _labels.Length))
        {
            return _other;
        }

        var id = (int)index;
        if (Volatile.Read(ref _names[id]) is null)
        {
            Define(id, id.ToString(CultureInfo.InvariantCulture));
        }

        return id;
    }

    public void Count(int id) => Interlocked.Increment(ref _counts[id]);

    /// <summary>The drift cell of class <paramref name="id"/>, relative to <see cref="FirstCell"/>.</summary>
    public int CellOf(int id) => _cells[id];

    /// <summary>Predictions counted so far for class <paramref name="id"/>, and its name (null while the class is unseen).</summary>
    public (string? Name, long Count) Counted(int id) => (Volatile.Read(ref _names[id]), Interlocked.Read(ref _counts[id]));

    public int Capacity => _names.Length;

    /// <summary>Class names known from config.json (published at zero when the version loads).</summary>
    public string[] Labels => _labels ?? [];

    public string NameOf(int id) => _names[id]!;

    private int AddString(string value)
    {
        lock (_lock)
        {
            if (_stringIds!.TryGetValue(value, out var known))
            {
                return known;
            }

            if (_nextStringId >= _other)
            {
                return _other;
            }

            var id = _nextStringId++;
            Define(id, value);
            _stringIds[value] = id;
            return id;
        }
    }

    /// <summary>Sets a class's drift cell, then publishes its name (readers check the name first).</summary>
    private void Define(int id, string name)
    {
        _cells[id] = _profileSlots is null ? 0 : _profileSlots.TryGetValue(name, out var slot) ? slot : _profileSlots.Count;
        Volatile.Write(ref _names[id], name);
    }
}
