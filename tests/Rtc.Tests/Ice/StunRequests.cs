using System.Text;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Tests.Ice;

/// <summary>Binding requests shaped like the ones browsers send to a lite server.</summary>
internal static class StunRequests
{
    public static byte[] Binding(
        string username,
        string password,
        bool useCandidate = false,
        bool controlling = true,
        bool fingerprint = true,
        bool integrity = true,
        ushort extraAttribute = 0,
        uint priority = 1853824767
    )
    {
        byte[] buffer = new byte[512];
        byte[] transactionId = new byte[12];
        Random.Shared.NextBytes(transactionId);
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, transactionId);
        writer.TryAddUsername(Encoding.ASCII.GetBytes(username));
        if (extraAttribute != 0)
        {
            writer.TryAddAttribute(extraAttribute, new byte[] { 1, 2, 3, 4 });
        }

        writer.TryAddPriority(priority);
        if (controlling)
        {
            writer.TryAddIceControlling(0x1122334455667788);
        }
        else
        {
            writer.TryAddIceControlled(0x1122334455667788);
        }

        if (useCandidate)
        {
            writer.TryAddUseCandidate();
        }

        if (integrity)
        {
            writer.TryAddMessageIntegrity(Encoding.ASCII.GetBytes(password));
        }

        if (fingerprint)
        {
            writer.TryAddFingerprint();
        }

        return writer.Written.ToArray();
    }
}
