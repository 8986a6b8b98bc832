using System.Globalization;
using System.IO.Hashing;
using System.Text;

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

    /// <summary>Identifies the files of a version folder as they are now (names, sizes, write times); "" when it is gone.</summary>
    public static string Fingerprint(string versionFolder)
    {
        if (!Directory.Exists(versionFolder))
        {
            return string.Empty;
        }

        var files = Directory.GetFiles(versionFolder);
        Array.Sort(files, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            text.Append(info.Name).Append(':').Append(info.Length).Append(':').Append(info.LastWriteTimeUtc.Ticks).Append(';');
        }

        return text.ToString();
    }

    /// <summary>Identifies a model folder as it is now: its config.json's content and every version folder's files.</summary>
    public static string FolderFingerprint(string modelFolder)
    {
        var text = new StringBuilder(ConfigFingerprint(modelFolder));
        foreach (var (version, folder) in Scan(modelFolder))
        {
            text.Append('|').Append(version).Append('=').Append(Fingerprint(folder));
        }

        return text.ToString();
    }

    /// <summary>A hash of config.json's content ("none" without one).</summary>
    public static string ConfigFingerprint(string modelFolder)
    {
        var path = Path.Combine(modelFolder, ModelConfigReader.FileName);
        return File.Exists(path) ? XxHash64.HashToUInt64(File.ReadAllBytes(path)).ToString("x16", CultureInfo.InvariantCulture) : "none";
    }
}
