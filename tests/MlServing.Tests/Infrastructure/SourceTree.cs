namespace MlServing.Tests.Infrastructure;

/// <summary>The repository the tests were built from (the folder with MlServing.sln), for tests of its files.</summary>
public static class SourceTree
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlServing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("MlServing.sln not found above " + AppContext.BaseDirectory);
    }
}
