using System.Text;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Tests.Sdp;

namespace MobZ.Rtc.Tests.Fuzz;

public class SdpFuzzTests
{
    private static readonly string[] Fragments =
    [
        "a=rtpmap:", "a=fmtp:", "a=extmap:", "a=ssrc:", "a=ssrc-group:FID ", "a=rid:", "a=simulcast:", "a=candidate:",
        "a=group:BUNDLE ", "a=mid:", "a=setup:", "a=fingerprint:", "m=video ", "m=audio 0 ", " ", ":", "/", ";", "=", "~",
        "\r\n", "\n", "96", "-1", "99999999999", "send", "recv", "typ", "host", "\0", "é",
    ];

    [Fact]
    public void Sdp_parser_never_throws_on_truncated_mutated_or_spliced_text()
    {
        var random = new Random(4);
        string[] files = SdpTestData.AllFiles().Select(f => SdpTestData.Read((string)f[0])).ToArray();
        int parsed = 0;
        int rejected = 0;
        void Check(string text)
        {
            if (SessionDescription.TryParse(text, out SessionDescription? sdp, out string? error))
            {
                parsed++;
                // What parses must also write and parse again, and answering it must not throw either.
                string written = sdp!.ToString();
                Assert.True(SessionDescription.TryParse(written, out _, out string? again), again + "\n--- input:\n" + text);
                _ = SdpAnswerBuilder.TryCreate(sdp, new SdpAnswerOptions
                {
                    IceCredentials = new IceCredentials("fuzz", "fuzzpasswordfuzzpassword"),
                    Fingerprint = SdpFingerprint.Sha256(new byte[] { 1 }),
                    AcceptDataChannel = true,
                }, out _, out _);
            }
            else
            {
                rejected++;
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }

        foreach (string file in files)
        {
            for (int length = 0; length < file.Length; length += 13)
            {
                Check(file[..length]);
            }

            string[] lines = file.Split("\r\n");
            for (int i = 0; i < 250; i++)
            {
                string[] copy = (string[])lines.Clone();
                int at = random.Next(copy.Length);
                string line = copy[at];
                copy[at] = random.Next(3) switch
                {
                    0 => line.Length > 0 ? line.Remove(random.Next(line.Length), 1) : line,
                    1 => line.Insert(line.Length == 0 ? 0 : random.Next(line.Length), Fragments[random.Next(Fragments.Length)]),
                    _ => Fragments[random.Next(Fragments.Length)] + new string((char)random.Next(32, 127), random.Next(5)),
                };
                Check(string.Join("\r\n", copy));
            }
        }

        for (int i = 0; i < 2000; i++)
        {
            var text = new StringBuilder("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");
            int count = random.Next(30);
            for (int j = 0; j < count; j++)
            {
                text.Append(Fragments[random.Next(Fragments.Length)]);
            }

            Check(text.ToString());
        }

        Assert.True(parsed > 100 && rejected > 100, $"parsed {parsed}, rejected {rejected}: mutations are not reaching both paths");
    }

    [Fact]
    public void Candidate_simulcast_and_profile_parsers_never_throw_on_random_text()
    {
        var random = new Random(5);
        for (int i = 0; i < 5000; i++)
        {
            var text = new StringBuilder();
            int count = random.Next(12);
            for (int j = 0; j < count; j++)
            {
                text.Append(Fragments[random.Next(Fragments.Length)]).Append(random.Next(3) == 0 ? " " : string.Empty);
            }

            string value = text.ToString();
            if (IceCandidate.TryParse(value, out IceCandidate? candidate, out _))
            {
                Assert.True(IceCandidate.TryParse(candidate!.ToSdpValue(), out _, out string? error), error);
            }

            _ = SdpSimulcast.TryParse(value, out _);
            _ = H264ProfileLevelId.TryParse(value, out _);
        }
    }
}
