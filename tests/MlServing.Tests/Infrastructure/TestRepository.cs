namespace MlServing.Tests.Infrastructure;

/// <summary>A throw-away model repository in a temp folder, built from the project's own fixture models.</summary>
public sealed class TestRepository : IDisposable
{
    public static readonly string FixturesPath = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "models");

    /// <summary>The bundled sample repository (models/ at the repository root, copied next to the API binary).</summary>
    public static readonly string SamplesPath = System.IO.Path.Combine(AppContext.BaseDirectory, "models");

    public TestRepository()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlserving-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Copies fixture <paramref name="fixture"/> as model <paramref name="name"/> version(s).</summary>
    public TestRepository AddFixture(string fixture, string? name = null, params int[] versions)
    {
        var source = System.IO.Path.Combine(FixturesPath, fixture, "1", "model.onnx");
        foreach (var version in versions.Length == 0 ? [1] : versions)
        {
            var folder = System.IO.Path.Combine(Path, name ?? fixture, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            File.Copy(source, System.IO.Path.Combine(folder, "model.onnx"), overwrite: true);
        }

        return this;
    }

    /// <summary>Copies a model folder (all versions and its config.json) from another repository.</summary>
    public TestRepository AddModelFolder(string sourceRepository, string model, string? name = null)
    {
        CopyDirectory(System.IO.Path.Combine(sourceRepository, model), System.IO.Path.Combine(Path, name ?? model));
        return this;
    }

    /// <summary>The path of a version's model.onnx.</summary>
    public string ModelFile(string model, int version) =>
        System.IO.Path.Combine(Path, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture), "model.onnx");

    public TestRepository WithConfig(string model, string json)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Path, model));
        File.WriteAllText(System.IO.Path.Combine(Path, model, "config.json"), json);
        return this;
    }

    public TestRepository WithFile(string relativePath, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return this;
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)), overwrite: true);
        }

        foreach (var directory in Directory.GetDirectories(source))
        {
            CopyDirectory(directory, System.IO.Path.Combine(target, System.IO.Path.GetFileName(directory)));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind does not affect other tests (each uses its own).
        }
    }
}
