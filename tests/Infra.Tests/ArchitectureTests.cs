using System.Xml.Linq;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests;

/// <summary>
/// The boundaries of the code as a test (issue 9): which project may reference which. Libraries form layers —
/// wire formats (Rtc) at the bottom, the SFU (Munit) and packager (Hls) on them, capabilities (Signaling,
/// PixelStreaming, Regulator, Admin) above — and only hosts wire everything together. AWS plumbing (src/Aws) knows
/// no signaling type; where the two meet is src/Signaling.Aws. A new project must be placed here to build.
/// </summary>
public class ArchitectureTests
{
    /// <summary>Every library under src/ and the projects of ours it may reference (an empty set: none).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedReferences = new Dictionary<string, string[]>
    {
        ["Rtc"] = [],
        ["State"] = [],
        ["Contracts"] = [],
        ["Access"] = [],
        ["Signaling.Abstractions"] = [],
        ["Aws"] = [],
        ["Hosting"] = ["State"],
        ["Munit"] = ["Rtc"],
        ["Hls"] = ["Rtc"],
        ["Hls.Serving"] = ["Hls", "State", "Access"],
        ["HlsTap"] = ["Munit", "Hls"],
        ["Regulator"] = ["Munit", "State", "Contracts"],
        ["Signaling"] = ["Signaling.Abstractions", "State", "Contracts", "Access"],
        ["Signaling.Aws"] = ["Signaling.Abstractions", "Aws"],
        ["PixelStreaming"] = ["Signaling.Abstractions", "State", "Aws", "Access"],
        ["Admin"] = ["Signaling", "PixelStreaming", "Contracts"],
    };

    /// <summary>Processes: they may wire any library, and nothing references them.</summary>
    public static readonly IReadOnlySet<string> Hosts = new HashSet<string> { "LocalStack", "MunitHost", "Signaling.Lambda", "TokenCli" };

    [Fact]
    public void Every_library_references_only_the_layers_below_it_and_nothing_references_a_host()
    {
        var violations = Violations(SourceProjects());
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void A_reference_across_the_boundaries_is_reported()
    {
        var violations = Violations([
            ("Aws", ["Signaling.Abstractions"]),
            ("Rtc", ["Munit"]),
            ("Munit", ["LocalStack"]),
            ("Experimental", []),
            ("LocalStack", ["Munit", "MunitHost"]),
        ]);
        Assert.Equal([
            "Aws must not reference Signaling.Abstractions",
            "Rtc must not reference Munit",
            "Munit must not reference LocalStack",
            "src/Experimental is in no layer: add it to ArchitectureTests.AllowedReferences (or Hosts)",
            "host LocalStack references host MunitHost",
        ], violations);
    }

    private static List<string> Violations(IEnumerable<(string Project, IReadOnlyList<string> References)> projects)
    {
        var violations = new List<string>();
        foreach (var (project, references) in projects)
        {
            if (Hosts.Contains(project))
            {
                violations.AddRange(references.Where(Hosts.Contains).Select(r => $"host {project} references host {r}"));
                continue;
            }
            if (!AllowedReferences.TryGetValue(project, out var allowed))
            {
                violations.Add($"src/{project} is in no layer: add it to ArchitectureTests.AllowedReferences (or Hosts)");
                continue;
            }
            violations.AddRange(references.Where(r => !allowed.Contains(r)).Select(r => $"{project} must not reference {r}"));
        }
        return violations;
    }

    /// <summary>Each src/*/*.csproj with the src/ projects its ProjectReferences name.</summary>
    private static IEnumerable<(string Project, IReadOnlyList<string> References)> SourceProjects()
    {
        foreach (var dir in Directory.GetDirectories(Repo.PathOf("src")).Order(StringComparer.Ordinal))
        {
            var csproj = Directory.GetFiles(dir, "*.csproj").SingleOrDefault();
            if (csproj is null) continue;
            var references = XDocument.Load(csproj).Descendants("ProjectReference")
                .Select(e => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(dir, e.Attribute("Include")!.Value)))!))
                .ToList();
            yield return (Path.GetFileName(dir), references);
        }
    }
}
