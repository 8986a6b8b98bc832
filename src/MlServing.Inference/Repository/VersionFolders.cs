using System.Globalization;

namespace MlServing.Inference.Repository;

/// <summary>The version folders of a model (positive integer names) and which of them its version policy serves.</summary>
internal static class VersionFolders
{
    /// <summary>Version number → folder, newest first.</summary>
    public static SortedDictionary<long, string> Scan(string modelFolder)
    {
        var available = new SortedDictionary<long, string>(Comparer<long>.Create((a, b) => b.CompareTo(a)));
        foreach (var directory in Directory.GetDirectories(modelFolder))
        {
            if (long.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
            {
                available[number] = directory;
            }
        }

        return available;
    }

    /// <summary>The versions to serve, newest first: <c>latest</c> (default 1), <c>all</c> or <c>specific</c>.</summary>
    public static List<long> Select(VersionPolicyConfig? policy, IEnumerable<long> newestFirst)
    {
        if (policy?.All == true)
        {
            return [.. newestFirst];
        }

        if (policy?.Specific is { } specific)
        {
            return [.. specific.Distinct().OrderDescending()];
        }

        return [.. newestFirst.Take(policy?.Latest ?? 1)];
    }
}
