using System.Xml.Linq;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests;

/// <summary>
/// The boundaries of the code as a test (issue 9): which project may reference which. Libraries form layers —
/// wire formats and codecs (Rtc) at the bottom, the SFU (Munit) and the HLS packager (Hls) on them, capabilities
/// (Signaling, PixelStreaming, Regulator, HlsTap, Hls.Serving, Admin) above — and only hosts wire everything together.
/// AWS plumbing (src/Aws) knows no signaling type; where the two meet is src/Signaling.Aws. The media libraries run
/// without ASP.NET (the HLS packager included; serving it is src/Hls.Serving). A new project must be placed here to
/// build.
/// </summary>
public class ArchitectureTests
{
    /// <summary>Every library under src/ and the projects of ours it may reference (an empty set: none).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedReferences = new Dictionary<string, string[]>
    {
        // Foundations: nothing of ours below them.
        ["Rtc"] = [],
        ["State"] = [],
        ["Contracts"] = [],
        ["Access"] = [],
        ["Signaling.Abstractions"] = [],
        ["Aws"] = [],
        // Media engines and shared host plumbing.
        ["Munit"] = ["Rtc"],
        ["Hls"] = ["Rtc"],
        ["Hosting"] = ["State"],
        // Capabilities.
        ["Hls.Serving"] = ["Hls", "State", "Access"],
        ["HlsTap"] = ["Munit", "Hls"],
        ["Regulator"] = ["Munit", "State", "Contracts"],
        ["Signaling"] = ["Signaling.Abstractions", "State", "Contracts", "Access"],
        ["Signaling.Aws"] = ["Signaling.Abstractions", "Aws"],
        ["PixelStreaming"] = ["Signaling.Abstractions", "State", "Aws", "Access"],
        ["Admin"] = ["Signaling", "PixelStreaming", "Contracts"],
    };

    /// <summary>Processes: they may wire any library, and nothing references them.</summary>
    public static readonly IReadOnlySet<string> Hosts = new HashSet<string>
    {
        "LocalStack",
        "MunitHost",
        "Signaling.Lambda",
        "TokenCli",
    };

    /// <summary>Libraries that must build without ASP.NET, counting everything they reference.</summary>
    public static readonly IReadOnlySet<string> WithoutAspNet = new HashSet<string>
    {
        "Rtc",
        "State",
        "Contracts",
        "Signaling.Abstractions",
        "Aws",
        "Munit",
        "Hls",
    };

    /// <summary>Libraries whose sources may not name a signaling namespace (MobZ.Signaling…).</summary>
    public static readonly IReadOnlySet<string> WithoutSignaling = new HashSet<string> { "Aws", "Rtc", "Munit", "Hls" };

    [Fact]
    public void Every_library_references_only_the_layers_below_it_and_nothing_references_a_host()
    {
        var violations = Violations(SourceProjects().ToList());
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void A_reference_across_the_boundaries_is_reported()
    {
        var violations = Violations([
            new("Aws", ["Signaling.Abstractions"]),
            new("Rtc", ["Munit"]),
            new("Munit", ["LocalStack"]),
            new("Experimental", []),
            new("LocalStack", ["Munit", "MunitHost"]),
            new("Hls", ["Rtc"]) { UsesAspNet = true },
            new("State", []) { NamesSignaling = true },
            new("Aws", []) { NamesSignaling = true },
        ]);
        Assert.Equal(
            [
                "Aws must not reference Signaling.Abstractions",
                "Rtc must not reference Munit",
                "Munit must not reference LocalStack",
                "src/Experimental is in no layer: add it to ArchitectureTests.AllowedReferences (or Hosts)",
                "host LocalStack references host MunitHost",
                "Hls must build without ASP.NET, but Hls references it",
                "Aws names a signaling namespace (MobZ.Signaling…) in its sources",
            ],
            violations
        );
    }

    [Fact]
    public void ASP_NET_reached_through_a_reference_is_reported()
    {
        var violations = Violations([new("Hls", ["Rtc"]), new("Rtc", []) { UsesAspNet = true }]);
        Assert.Contains("Hls must build without ASP.NET, but Rtc references it", violations);
    }

    /// <summary>A project under src/: the src/ projects it references, whether its csproj brings in ASP.NET, and
    /// whether its sources name a signaling namespace.</summary>
    public sealed record Project(string Name, IReadOnlyList<string> References)
    {
        public bool UsesAspNet { get; init; }
        public bool NamesSignaling { get; init; }
    }

    private static List<string> Violations(IReadOnlyList<Project> projects)
    {
        var byName = projects.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First());
        var violations = new List<string>();
        foreach (var project in projects)
        {
            if (Hosts.Contains(project.Name))
            {
                violations.AddRange(
                    project.References.Where(Hosts.Contains).Select(r => $"host {project.Name} references host {r}")
                );
                continue;
            }
            if (!AllowedReferences.TryGetValue(project.Name, out var allowed))
            {
                violations.Add(
                    $"src/{project.Name} is in no layer: add it to ArchitectureTests.AllowedReferences (or Hosts)"
                );
                continue;
            }
            violations.AddRange(
                project
                    .References.Where(r => !allowed.Contains(r))
                    .Select(r => $"{project.Name} must not reference {r}")
            );
            if (WithoutAspNet.Contains(project.Name))
            {
                violations.AddRange(
                    Closure(project, byName)
                        .Where(p => p.UsesAspNet)
                        .Select(p => $"{project.Name} must build without ASP.NET, but {p.Name} references it")
                );
            }
            if (WithoutSignaling.Contains(project.Name) && project.NamesSignaling)
            {
                violations.Add($"{project.Name} names a signaling namespace (MobZ.Signaling…) in its sources");
            }
        }
        return violations;
    }

    /// <summary>The project and every project it references, directly or not.</summary>
    private static IEnumerable<Project> Closure(Project project, IReadOnlyDictionary<string, Project> byName)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<Project>([project]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Name))
                continue;
            yield return next;
            foreach (var reference in next.References)
            {
                if (byName.TryGetValue(reference, out var referenced))
                    pending.Push(referenced);
            }
        }
    }

    /// <summary>Each src/*/*.csproj with the src/ projects its ProjectReferences name, read from the files.</summary>
    private static IEnumerable<Project> SourceProjects()
    {
        foreach (var dir in Directory.GetDirectories(Repo.PathOf("src")).Order(StringComparer.Ordinal))
        {
            var csproj = Directory.GetFiles(dir, "*.csproj").SingleOrDefault();
            if (csproj is null)
                continue;
            var xml = XDocument.Load(csproj);
            var references = xml.Descendants("ProjectReference")
                .Select(e =>
                    Path.GetFileName(
                        Path.GetDirectoryName(Path.GetFullPath(Path.Combine(dir, e.Attribute("Include")!.Value)))!
                    )
                )
                .ToList();
            bool usesAspNet =
                xml.Root!.Attribute("Sdk")?.Value == "Microsoft.NET.Sdk.Web"
                || xml.Descendants("FrameworkReference")
                    .Any(e => e.Attribute("Include")?.Value == "Microsoft.AspNetCore.App")
                || xml.Descendants("PackageReference")
                    .Any(e =>
                        e.Attribute("Include")?.Value.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                        == true
                    );
            bool namesSignaling = Directory
                .EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(dir, f))
                .Any(f => File.ReadAllText(f).Contains("MobZ.Signaling", StringComparison.Ordinal));
            yield return new Project(Path.GetFileName(dir), references)
            {
                UsesAspNet = usesAspNet,
                NamesSignaling = namesSignaling,
            };
        }
    }

    private static bool IsBuildOutput(string projectDir, string file)
    {
        string first = Path.GetRelativePath(projectDir, file).Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }
}
