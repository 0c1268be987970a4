using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Protocol;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>
/// A rooms client message body through the parse <c>RoomsWebSocketHandler</c> gives it before any state is touched
/// (<see cref="ClientMessageReader"/>: the action scan, then the source-generated parse of the record it names).
/// A refusal is a <see cref="SignalException"/> with an Error code; any other exception would reach the client as
/// INTERNAL_ERROR and is a crash here.
/// </summary>
internal static class RoomsJsonHarness
{
    private static readonly int MaxMessageBytes = new RoomOptions().MaxMessageBytes;

    public static void Run(byte[] input)
    {
        try
        {
            string action = ClientMessageReader.Scan(input, MaxMessageBytes, out string? scanned, out _);
            Check(action == scanned, "the scan returns the action it found");
            ClientMessage message = ClientMessageReader.Parse(action, input);
            Check(message is not null, "a parse returns a message");
        }
        catch (SignalException e)
        {
            Check(
                !string.IsNullOrEmpty(e.Code) && !string.IsNullOrEmpty(e.Message),
                "a refusal carries a code and a message"
            );
        }
    }
}
