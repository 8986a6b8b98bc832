namespace MlServing.Inference.Repository;

/// <summary>Column index of each configured feature name, looked up from the request without allocating.</summary>
public sealed class FeatureMap
{
    private readonly Dictionary<string, int> _indices;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public FeatureMap(string[] names)
    {
        Names = names;
        _indices = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            _indices[names[i]] = i;
        }

        _lookup = _indices.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string[] Names { get; }

    public int Count => Names.Length;

    public int IndexOf(ReadOnlySpan<char> name) => _lookup.TryGetValue(name, out var index) ? index : -1;
}
