using Microsoft.Playwright;
using MobZ.TestKit.Repository;

namespace MobZ.Interop.Tests.Pages;

/// <summary>Screenshots of the demo pages under artifacts/screenshots/ (git-ignored), for a reviewer to look
/// at.</summary>
internal static class Screenshots
{
    public static string Directory =>
        System.IO.Directory.CreateDirectory(Path.Combine(Repo.Artifacts, "screenshots")).FullName;

    public static Task<byte[]> SaveAsync(IPage page, string name) =>
        page.ScreenshotAsync(
            new PageScreenshotOptions { Path = Path.Combine(Directory, name + ".png"), FullPage = true }
        );
}
