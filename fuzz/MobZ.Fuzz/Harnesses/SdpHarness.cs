using System.Text;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Sdp;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>
/// An offer as signaling hands it to a Munit: parsed, written back, answered; and each line's value through the
/// candidate, simulcast and H.264 profile parsers that trickled candidates and fmtp lines reach on their own.
/// </summary>
internal static class SdpHarness
{
    private static readonly SdpAnswerOptions AnswerOptions = new()
    {
        IceCredentials = new IceCredentials("fuzz", "fuzzpasswordfuzzpassword"),
        Fingerprint = SdpFingerprint.Sha256([1]),
        AcceptDataChannel = true,
    };

    public static void Run(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        if (SessionDescription.TryParse(text, out SessionDescription? sdp, out string? error))
        {
            // What parses must also write and parse again.
            string written = sdp!.ToString();
            Check(
                SessionDescription.TryParse(written, out _, out string? again),
                "a parsed description writes text that parses again: " + again
            );
            if (SdpAnswerBuilder.TryCreate(sdp, AnswerOptions, out SessionDescription? answer, out _))
            {
                Check(
                    SessionDescription.TryParse(answer!.ToString(), out _, out string? answerError),
                    "our answer parses: " + answerError
                );
            }
        }
        else
        {
            Check(!string.IsNullOrWhiteSpace(error), "a refused description says why");
        }

        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            string value = (colon < 0 ? line : line[(colon + 1)..]).TrimEnd('\r');
            if (IceCandidate.TryParse(value, out IceCandidate? candidate, out _))
            {
                Check(
                    IceCandidate.TryParse(candidate!.ToSdpValue(), out _, out string? candidateError),
                    "a parsed candidate writes a value that parses: " + candidateError
                );
            }

            _ = SdpSimulcast.TryParse(value, out _);
            _ = H264ProfileLevelId.TryParse(value, out _);
        }
    }
}
