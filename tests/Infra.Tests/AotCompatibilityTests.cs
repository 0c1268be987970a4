using System.Xml.Linq;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests;

/// <summary>
/// The Lambda bootstrap is published with Native AOT (docs/deploy-lambda.md), and the publish fails on any trim or AOT
/// warning — but it takes minutes, so it runs only in `make deploy` and `make test-aot`. The same analyzers run on
/// every `dotnet build` of a library marked IsAotCompatible: every project the Lambda compiles in must be, so
/// reflection the trimmer cannot see fails the ordinary build first.
/// </summary>
public sealed class AotCompatibilityTests
{
    private const string Lambda = "Signaling.Lambda";

    [Fact]
    public void Every_project_compiled_into_the_Lambda_bootstrap_runs_the_AOT_analyzers()
    {
        var projects = SourceProjects();
        Assert.True(projects[Lambda].PublishAot, $"src/{Lambda} publishes with Native AOT");
        Assert.Empty(Unchecked(Lambda, projects));
    }

    [Fact]
    public void A_project_that_the_Lambda_reaches_without_the_analyzers_is_reported()
    {
        var projects = new Dictionary<string, Project>
        {
            [Lambda] = new(AotCompatible: true, PublishAot: true, ["Signaling", "Aws"]),
            ["Signaling"] = new(AotCompatible: true, PublishAot: false, ["State"]),
            ["Aws"] = new(AotCompatible: true, PublishAot: false, []),
            ["State"] = new(AotCompatible: false, PublishAot: false, []),
            ["Munit"] = new(AotCompatible: false, PublishAot: false, []),
        };
        Assert.Equal(["State"], Unchecked(Lambda, projects));
    }

    /// <summary>The projects reachable from <paramref name="root"/> (itself included) that are not
    /// IsAotCompatible.</summary>
    private static List<string> Unchecked(string root, IReadOnlyDictionary<string, Project> projects)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name))
                continue;
            foreach (var reference in projects[name].References)
                pending.Push(reference);
        }
        return [.. seen.Where(p => !projects[p].AotCompatible).Order(StringComparer.Ordinal)];
    }

    private sealed record Project(bool AotCompatible, bool PublishAot, IReadOnlyList<string> References);

    /// <summary>Each src/*/*.csproj: its AOT properties and the src/ projects its ProjectReferences name.</summary>
    private static Dictionary<string, Project> SourceProjects()
    {
        var projects = new Dictionary<string, Project>();
        foreach (var dir in Directory.GetDirectories(Repo.PathOf("src")))
        {
            var csproj = Directory.GetFiles(dir, "*.csproj").SingleOrDefault();
            if (csproj is null)
                continue;
            var xml = XDocument.Load(csproj);
            bool IsTrue(string property) => xml.Descendants(property).Any(e => e.Value.Trim() == "true");
            var references = xml.Descendants("ProjectReference")
                .Select(e =>
                    Path.GetFileName(
                        Path.GetDirectoryName(Path.GetFullPath(Path.Combine(dir, e.Attribute("Include")!.Value)))!
                    )
                )
                .ToList();
            projects[Path.GetFileName(dir)] = new Project(IsTrue("IsAotCompatible"), IsTrue("PublishAot"), references);
        }
        return projects;
    }
}
