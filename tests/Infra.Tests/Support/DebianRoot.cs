using MobZ.TestKit.Repository;
namespace MobZ.Infra.Tests.Support;

/// <summary>
/// A fresh Debian bookworm root (debootstrap, minbase) from the Debian mirror this machine's apt uses, built once and
/// kept as artifacts/debian-root.tar: the "new machine" of the install test and the base of the test image. Only
/// ca-certificates and libicu72 (which .NET needs) are added to minbase.
/// </summary>
public static class DebianRoot
{
    public const string Suite = "bookworm";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string TarPath => Path.Combine(Repo.Artifacts, "debian-root.tar");

    public static async Task<string> TarAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(TarPath)) return TarPath;
            var dir = Path.Combine(Repo.Artifacts, "debian-root.build");
            if (Directory.Exists(dir)) await Shell.MustAsync("rm", ["-rf", dir], TimeSpan.FromMinutes(2));
            await Shell.MustAsync("debootstrap", ["--variant=minbase", "--include=ca-certificates,libicu72", Suite, dir, Mirror()], TimeSpan.FromMinutes(15));
            await Shell.MustAsync("tar", ["-C", dir, "-cf", TarPath + ".part", "."], TimeSpan.FromMinutes(5));
            File.Move(TarPath + ".part", TarPath, overwrite: true);
            await Shell.MustAsync("rm", ["-rf", dir], TimeSpan.FromMinutes(2));
            return TarPath;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Unpacks a copy of the root into a new folder.</summary>
    public static async Task<string> UnpackAsync(string into)
    {
        var tar = await TarAsync();
        Directory.CreateDirectory(into);
        await Shell.MustAsync("tar", ["-C", into, "-xf", tar], TimeSpan.FromMinutes(5));
        return into;
    }

    /// <summary>The Debian archive this machine's apt is configured with (deb822 .sources or a one-line list).</summary>
    public static string Mirror()
    {
        var files = Directory.GetFiles("/etc/apt/sources.list.d", "*.sources").Order()
            .Concat(File.Exists("/etc/apt/sources.list") ? ["/etc/apt/sources.list"] : []);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var stanza in text.Split("\n\n"))
            {
                var lines = stanza.Split('\n').Select(l => l.Trim()).Where(l => !l.StartsWith('#')).ToArray();
                var uri = lines.FirstOrDefault(l => l.StartsWith("URIs:", StringComparison.Ordinal))?["URIs:".Length..].Trim().Split(' ')[0];
                var suites = lines.FirstOrDefault(l => l.StartsWith("Suites:", StringComparison.Ordinal)) ?? "";
                if (uri is not null && suites.Split(' ').Contains(Suite)) return uri;
                foreach (var l in lines)
                {
                    var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith('[')).ToArray();
                    if (parts.Length >= 3 && parts[0] == "deb" && parts[2] == Suite) return parts[1];
                }
            }
        }
        throw new InvalidOperationException($"no apt source for Debian {Suite} in /etc/apt");
    }
}
