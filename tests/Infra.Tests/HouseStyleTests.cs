using MobZ.Infra.Tests.Support;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests;

/// <summary>
/// The house style is enforced, not just written down: a file not laid out as CSharpier lays it out, or a comment
/// wider than .editorconfig's max_line_length, fails scripts/check-format.sh (run by make test), and a code-style
/// rule at warning fails the build.
/// </summary>
public sealed class HouseStyleTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("mobz-style-").FullName;

    public HouseStyleTests()
    {
        File.Copy(Repo.PathOf(".editorconfig"), Path.Combine(_dir, ".editorconfig"));
        File.Copy(Repo.PathOf(".csharpierignore"), Path.Combine(_dir, ".csharpierignore"));
        File.Copy(Repo.PathOf("Directory.Build.props"), Path.Combine(_dir, "Directory.Build.props"));
        File.WriteAllText(Path.Combine(_dir, "Probe.csproj"), """<Project Sdk="Microsoft.NET.Sdk" />""");
    }

    [Fact]
    public async Task A_file_not_laid_out_as_CSharpier_would_fails_the_format_check_and_names_the_line()
    {
        File.WriteAllText(
            Path.Combine(_dir, "Good.cs"),
            "namespace Probe;\n\npublic static class Good\n{\n    public static int One() => 1;\n}\n"
        );
        var clean = await Shell.RunAsync(Repo.PathOf("scripts/check-format.sh"), [_dir], Deadline);
        Assert.True(clean.ExitCode == 0, clean.All);

        File.WriteAllText(
            Path.Combine(_dir, "Bad.cs"),
            "namespace Probe;\n\npublic static class Bad\n{\n      public static int Two() => 2;\n}\n"
        );
        var bad = await Shell.RunAsync(Repo.PathOf("scripts/check-format.sh"), [_dir], Deadline);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Bad.cs - Was not formatted", bad.All);
        Assert.Contains("Around Line 5", bad.All);
        Assert.DoesNotContain("Good.cs", bad.All);
    }

    [Fact]
    public async Task A_comment_wider_than_the_max_line_length_fails_the_format_check_and_a_long_string_does_not()
    {
        var words = string.Join(' ', Enumerable.Repeat("wide", 30));
        File.WriteAllText(
            Path.Combine(_dir, "Literal.cs"),
            $"namespace Probe;\n\npublic static class Literal\n{{\n    public const string Text =\n        \"{words}\";\n}}\n"
        );
        var clean = await Shell.RunAsync(Repo.PathOf("scripts/check-format.sh"), [_dir], Deadline);
        Assert.True(clean.ExitCode == 0, clean.All);

        File.WriteAllText(
            Path.Combine(_dir, "Comment.cs"),
            $"namespace Probe;\n\n// {words}\npublic static class Comment;\n"
        );
        var bad = await Shell.RunAsync(Repo.PathOf("scripts/check-format.sh"), [_dir], Deadline);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Comment.cs(3,121)", bad.All);
        Assert.DoesNotContain("Literal.cs", bad.All);
    }

    [Fact]
    public async Task A_code_style_rule_at_warning_fails_the_build_with_its_rule_id()
    {
        File.WriteAllText(
            Path.Combine(_dir, "Gate.cs"),
            """
            namespace Probe;

            public sealed class Gate
            {
                private readonly object _gate = new();
                private int _count;

                public void Enter()
                {
                    lock (_gate) _count++;
                }
            }

            """
        );
        var build = await Shell.RunAsync("dotnet", ["build", _dir, "-nologo", "-v", "q"], Deadline);
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("IDE0330", build.All); // one lock type: System.Threading.Lock

        File.WriteAllText(
            Path.Combine(_dir, "Gate.cs"),
            File.ReadAllText(Path.Combine(_dir, "Gate.cs"))
                .Replace("private readonly object _gate", "private readonly Lock _gate")
        );
        var fixedBuild = await Shell.RunAsync("dotnet", ["build", _dir, "-nologo", "-v", "q"], Deadline);
        Assert.True(fixedBuild.ExitCode == 0, fixedBuild.All);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
