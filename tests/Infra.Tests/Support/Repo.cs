namespace MobZ.Infra.Tests.Support;

/// <summary>The repository these tests check (its scripts, templates and Dockerfiles), and its artifacts/ cache.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    public static string Artifacts => Directory.CreateDirectory(Path.Combine(Root, "artifacts")).FullName;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MobZ.sln"))) return dir.FullName;
        throw new InvalidOperationException("MobZ.sln not found above " + AppContext.BaseDirectory);
    }
}
