using MobZ.Rtc.Sdp;

namespace MobZ.Rtc.Tests.Sdp;

public class SdpRoundTripTests
{
    public static IEnumerable<object[]> Files() => SdpTestData.AllFiles();

    private static SessionDescription Parse(string text)
    {
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out string? error), error);
        return sdp!;
    }

    private static string[] Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();

    [Theory]
    [MemberData(nameof(Files))]
    public void Captured_sdp_writes_back_every_line_unchanged_within_its_section(string file)
    {
        string original = SdpTestData.Read(file);
        string written = Parse(original).ToString();

        // Same lines per section (session, then each m-section); only the order of attributes inside a section may
        // change.
        List<string[]> Sections(string text)
        {
            var sections = new List<List<string>> { new() };
            foreach (string line in Lines(text))
            {
                if (line.StartsWith("m=", StringComparison.Ordinal))
                {
                    sections.Add([]);
                }

                sections[^1].Add(line);
            }

            return sections.Select(s => s.Order(StringComparer.Ordinal).ToArray()).ToList();
        }

        List<string[]> expected = Sections(original);
        List<string[]> actual = Sections(written);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }

        Assert.EndsWith("\r\n", written);
        Assert.StartsWith("v=0\r\no=", written);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Writing_is_stable_after_one_round_trip(string file)
    {
        string once = Parse(SdpTestData.Read(file)).ToString();
        Assert.Equal(once, Parse(once).ToString());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Chromium_style_output_keeps_m_line_formats_in_order(string file)
    {
        string original = SdpTestData.Read(file);
        string[] expectedMLines = Lines(original).Where(l => l.StartsWith("m=", StringComparison.Ordinal)).ToArray();
        string[] actualMLines = Lines(Parse(original).ToString())
            .Where(l => l.StartsWith("m=", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(expectedMLines, actualMLines);
    }
}
