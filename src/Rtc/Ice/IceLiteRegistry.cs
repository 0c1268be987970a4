using System.Collections.Concurrent;
using System.Text;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Ice;

/// <summary>
/// Finds the <see cref="IceLiteAgent"/> a datagram on the shared UDP port belongs to: STUN by the local ufrag in
/// USERNAME, everything else (DTLS, SRTP) by the remote address that passed a check. Lookups allocate nothing.
/// </summary>
/// <example><code>
/// switch (DatagramClassifier.Classify(datagram))
/// {
///     case DatagramKind.Stun:
///         IceCheckResult result = registry.HandleStun(datagram, remote, responseBuffer, out IceLiteAgent? agent);
///         if (result.HasResponse) socket.SendTo(responseBuffer[..result.ResponseLength], remoteSocketAddress);
///         break;
///     default:
///         if (registry.TryGetByAddress(remote, out IceLiteAgent? owner)) { /* hand to owner's DTLS/SRTP */ }
///         break;
/// }
/// </code></example>
public sealed class IceLiteRegistry
{
    private readonly ConcurrentDictionary<string, IceLiteAgent> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TransportAddress, IceLiteAgent> _byAddress = new();
    private readonly ConcurrentDictionary<string, IceLiteAgent>.AlternateLookup<ReadOnlySpan<char>> _ufragLookup;

    public IceLiteRegistry()
    {
        _ufragLookup = _byUfrag.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _byUfrag.Count;

    /// <summary>Adds the agent under its local ufrag; false when another agent already uses that ufrag.</summary>
    public bool TryRegister(IceLiteAgent agent) => _byUfrag.TryAdd(agent.LocalCredentials.Ufrag, agent);

    /// <summary>Removes the agent and every address mapped to it: those in the agent's own (bounded) list, not a scan
    /// of all.</summary>
    public void Unregister(IceLiteAgent agent)
    {
        _byUfrag.TryRemove(new KeyValuePair<string, IceLiteAgent>(agent.LocalCredentials.Ufrag, agent));
        agent.TakeForgotten(address => Unmap(address, agent));
        foreach (TransportAddress address in agent.RemoteAddresses)
        {
            Unmap(address, agent);
        }
    }

    private void Unmap(TransportAddress address, IceLiteAgent agent) =>
        _byAddress.TryRemove(new KeyValuePair<TransportAddress, IceLiteAgent>(address, agent));

    /// <summary>
    /// Restarts ICE for a registered agent (the peer sent an offer with a new ufrag, or we want one): generates new
    /// local credentials that no other agent uses, re-keys the agent, and returns them for the answer's a=ice-ufrag /
    /// a=ice-pwd. Known remote addresses stay mapped so media keeps flowing during the restart.
    /// </summary>
    public bool TryRestart(IceLiteAgent agent, string? newRemoteUfrag, out IceCredentials? newCredentials)
    {
        newCredentials = null;
        IceCredentials old = agent.LocalCredentials;
        if (!_byUfrag.TryGetValue(old.Ufrag, out IceLiteAgent? registered) || !ReferenceEquals(registered, agent))
        {
            return false;
        }

        IceCredentials fresh;
        do
        {
            fresh = IceCredentials.Generate();
        } while (!_byUfrag.TryAdd(fresh.Ufrag, agent));

        if (!agent.TryRestart(fresh, newRemoteUfrag))
        {
            _byUfrag.TryRemove(new KeyValuePair<string, IceLiteAgent>(fresh.Ufrag, agent));
            return false;
        }

        _byUfrag.TryRemove(new KeyValuePair<string, IceLiteAgent>(old.Ufrag, agent));
        newCredentials = fresh;
        return true;
    }

    /// <summary>Looks up by the ASCII ufrag bytes as they appear in STUN USERNAME.</summary>
    public bool TryGetByUfrag(ReadOnlySpan<byte> ufrag, out IceLiteAgent? agent)
    {
        agent = null;
        if (ufrag.IsEmpty || ufrag.Length > 256)
        {
            return false;
        }

        Span<char> chars = stackalloc char[ufrag.Length];
        if (Ascii.ToUtf16(ufrag, chars, out int written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        return _ufragLookup.TryGetValue(chars[..written], out agent);
    }

    /// <summary>Stops routing <paramref name="remote"/> to any agent: its ICE-TCP connection closed.</summary>
    public void Forget(in TransportAddress remote) => _byAddress.TryRemove(remote, out _);

    public bool TryGetByAddress(in TransportAddress remote, out IceLiteAgent? agent) =>
        _byAddress.TryGetValue(remote, out agent);

    /// <summary>
    /// Routes a STUN datagram to its agent and lets the agent answer. Unknown ufrags are dropped without an answer,
    /// so the port cannot be used to reflect traffic. After a successful check the remote address maps to the agent.
    /// </summary>
    public IceCheckResult HandleStun(
        ReadOnlySpan<byte> datagram,
        in TransportAddress remote,
        Span<byte> response,
        out IceLiteAgent? agent
    )
    {
        agent = null;
        if (
            !StunMessage.TryRead(datagram, out StunMessage message)
            || message.MessageType != StunMessageType.BindingRequest
            || !message.TryGetUsername(out ReadOnlySpan<byte> username)
        )
        {
            return IceCheckResult.Dropped;
        }

        int colon = username.IndexOf((byte)':');
        if (colon <= 0 || !TryGetByUfrag(username[..colon], out agent) || agent is null)
        {
            return IceCheckResult.Dropped;
        }

        IceCheckResult result = agent.HandleBindingRequest(message, remote, response);
        if (result.Outcome == IceCheckOutcome.Success)
        {
            _byAddress[remote] = agent;
            IceLiteAgent owner = agent;
            owner.TakeForgotten(address => Unmap(address, owner));
        }

        return result;
    }
}
