namespace MobZ.Rtc.Tests.Sdp;

/// <summary>Reads the captured SDPs from tests/Rtc.Tests/TestData/Sdp by walking up from the test binaries.</summary>
internal static class SdpTestData
{
    private static readonly Lazy<string> Directory = new(Locate);

    public static IEnumerable<object[]> AllFiles() =>
        System
            .IO.Directory.GetFiles(Directory.Value, "*.sdp")
            .Select(f => new object[] { Path.GetFileName(f) })
            .OrderBy(f => (string)f[0]);

    public static string Read(string name) => File.ReadAllText(Path.Combine(Directory.Value, name));

    private static string Locate()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Rtc.Tests", "TestData", "Sdp");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }

            candidate = Path.Combine(dir.FullName, "TestData", "Sdp");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            "tests/Rtc.Tests/TestData/Sdp not found above " + AppContext.BaseDirectory
        );
    }
}
