namespace MobZ.TestKit.Repository;

/// <summary>The repository under test (its sources, scripts, templates and build outputs) and its artifacts/ cache
/// (git-ignored; tests install tools there).</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    public static string Artifacts => Directory.CreateDirectory(Path.Combine(Root, "artifacts")).FullName;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MobZ.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("MobZ.sln not found above " + AppContext.BaseDirectory);
    }
}
