using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests.Support;

/// <summary>
/// A fresh Debian bookworm root (debootstrap, minbase, plus ca-certificates and libicu72) as artifacts/debian-root.tar,
/// made by scripts/debian-root.sh (once: it locks, so the image build and the install test never make it twice at
/// the same time): the "new machine" of the install test and the base of the locally made .NET image.
/// </summary>
public static class DebianRoot
{
    public static async Task<string> TarAsync() =>
        (await Shell.MustAsync(Repo.PathOf("scripts", "debian-root.sh"), [], TimeSpan.FromMinutes(20))).Output.Trim();

    /// <summary>Unpacks a copy of the root into a new folder.</summary>
    public static async Task<string> UnpackAsync(string into)
    {
        var tar = await TarAsync();
        Directory.CreateDirectory(into);
        await Shell.MustAsync("tar", ["-C", into, "-xf", tar], TimeSpan.FromMinutes(5));
        return into;
    }
}
