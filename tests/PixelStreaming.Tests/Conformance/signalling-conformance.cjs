// Protocol conformance run against a MobZ /ps endpoint, written for ConformanceTests.
//
// It follows the phases of Epic's signalling test tool (SS_Test: connect, ping, subscribe and negotiate,
// layerPreference, forced disconnect, disconnect notification), which is not published to the package
// registry, and adds a phase for each remaining message of protocol 1.3.0 that a signalling server
// (not an SFU) handles. Connections are Epic's own client classes from @epicgames-ps/lib-pixelstreamingcommon
// (SignallingProtocol over WebSocketTransportNJS), messages are built with Epic's MessageHelpers.createMessage,
// and every message the server sends must pass Epic's MessageHelpers.validateMessage (known type, required
// fields present, no unknown field). Like SS_Test, a message nobody expected fails the phase.
//
// Input: PS_CONFORMANCE, JSON {streamerUrl, playerUrls: [four URLs, one per player identity]}.
// Output: one "ok - phase" / "not ok - phase" line per phase, then "N passed, N failed"; exit code 0 only if all passed.
'use strict';

const { SignallingProtocol, WebSocketTransportNJS, Messages, MessageHelpers, MessageRegistry, overrideLogger } =
    require('@epicgames-ps/lib-pixelstreamingcommon-ue5.5');

// The validator looks types up in MessageRegistry, which (0.3.3) lacks two messages that the protocol defines
// and Epic's own server sends: subscribeFailed and streamerIdChanged. They are validated against their
// definitions in the library's Messages like every other type.
for (const type of [Messages.subscribeFailed, Messages.streamerIdChanged]) MessageRegistry[type.typeName] ??= type;

const config = JSON.parse(process.env.PS_CONFORMANCE || '{}');
if (!config.streamerUrl || !Array.isArray(config.playerUrls) || config.playerUrls.length < 4) {
    console.error('PS_CONFORMANCE must be {"streamerUrl": "...", "playerUrls": [four URLs]}');
    process.exit(2);
}
// Generous: the machine is shared; a passing phase ends as soon as its expectations are met.
const StepTimeoutMs = Number(process.env.PS_CONFORMANCE_STEP_MS || 10000);

// Epic's validator reports through the library's logger: collect what it says about the message being checked.
let validationErrors = [];
overrideLogger({
    InitLogging() {},
    Debug() {},
    Info() {},
    Warning() {},
    Error(message) { validationErrors.push(message); },
});

function validate(message, forwardedToStreamer) {
    validationErrors = [];
    // Epic's server stamps playerId on every message it forwards from a player to a streamer
    // (PlayerConnection.sendToStreamer), including types whose definition has no such field.
    if (forwardedToStreamer && 'playerId' in message && !MessageRegistry[message.type]?.fields?.some((f) => f.name === 'playerId')) {
        const { playerId, ...rest } = message;
        message = rest;
    }
    const type = MessageHelpers.validateMessage(message);
    return type ? null : validationErrors.join('; ') || `"${message.type}" rejected`;
}

/** One WebSocket endpoint, buffering what it receives until a phase consumes it. */
class Endpoint {
    constructor(name, url, isStreamer) {
        this.name = name;
        this.events = [];
        this.expects = [];
        this.errors = [];
        this.transport = new WebSocketTransportNJS();
        this.protocol = new SignallingProtocol(this.transport);
        this.transport.on('open', () => this.push({ kind: 'open' }));
        this.transport.on('close', (event) => this.push({ kind: 'close', code: event.code, reason: event.reason }));
        this.transport.on('error', (event) => this.errors.push(`(${name}) socket error: ${event.message || event.type || event}`));
        this.transport.on('message', (message) => {
            const invalid = validate(message, isStreamer);
            if (invalid) this.errors.push(`(${name}) invalid ${JSON.stringify(message).slice(0, 200)}: ${invalid}`);
            this.push({ kind: 'message', message });
        });
        this.protocol.connect(url);
    }

    send(messageType, params) {
        this.protocol.sendMessage(MessageHelpers.createMessage(messageType, params));
    }

    sendRaw(object) {
        this.transport.sendMessage(JSON.stringify(object));
    }

    close(code, reason) {
        this.protocol.disconnect(code, reason);
    }

    /** Expect a message of an Epic message type; the check returns an error text or nothing. */
    expect(messageType, check) {
        this.expects.push({ kind: 'message', type: messageType.typeName, check: check || (() => {}) });
    }

    expectSocket(kind, check) {
        this.expects.push({ kind, check: check || (() => {}) });
    }

    push(event) {
        this.events.push(event);
        if (this.wake) this.wake();
    }

    /** Matches buffered events to expectations (in arrival order); unmatched events are errors. */
    drain() {
        while (this.events.length > 0) {
            const event = this.events.shift();
            const index = this.expects.findIndex((e) => e.kind === event.kind && (event.kind !== 'message' || e.type === event.message.type));
            if (index < 0) {
                this.errors.push(`(${this.name}) unexpected ${event.kind === 'message' ? `message ${JSON.stringify(event.message).slice(0, 200)}` : `socket ${event.kind}`}`);
                continue;
            }
            const [expected] = this.expects.splice(index, 1);
            try {
                const problem = expected.check(event.kind === 'message' ? event.message : event);
                if (problem) this.errors.push(`(${this.name}) ${expected.type || expected.kind}: ${problem}`);
            } catch (e) {
                this.errors.push(`(${this.name}) ${expected.type || expected.kind}: ${e.message}`);
            }
        }
    }
}

const results = [];

/** Runs until every endpoint's expectations are met (or the deadline), then reports what went wrong. */
async function phase(name, endpoints, act) {
    for (const endpoint of endpoints) endpoint.errors = [];
    if (act) act();
    const deadline = Date.now() + StepTimeoutMs;
    for (;;) {
        for (const endpoint of endpoints) endpoint.drain();
        if (endpoints.every((e) => e.expects.length === 0) || Date.now() >= deadline) break;
        await new Promise((resolve) => {
            const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
            for (const endpoint of endpoints) endpoint.wake = () => { clearTimeout(timer); resolve(); };
        });
    }
    // Anything else already on the wire (sent before the last expected message) counts too.
    await new Promise((resolve) => setImmediate(resolve));
    const errors = [];
    for (const endpoint of endpoints) {
        endpoint.wake = null;
        endpoint.drain();
        errors.push(...endpoint.errors);
        for (const missing of endpoint.expects) errors.push(`(${endpoint.name}) did not receive ${missing.type ? `message ${missing.type}` : `socket ${missing.kind}`}`);
        endpoint.expects = [];
    }
    results.push({ name, errors });
    console.log(errors.length === 0 ? `ok - ${name}` : `not ok - ${name}\n  ${errors.join('\n  ')}`);
    return errors.length === 0;
}

const equal = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function main() {
    const streamerId = 'conformance_streamer';
    const renamedId = 'conformance_streamer_renamed';
    const ids = { player: null };

    // 1. Connecting: config first on both sides; the streamer is asked to identify and gets its id confirmed.
    const streamer = new Endpoint('Streamer', config.streamerUrl, true);
    let player = new Endpoint('Player', config.playerUrls[0]);
    streamer.expectSocket('open');
    streamer.expect(Messages.config, (m) => m.protocolVersion !== SignallingProtocol.SIGNALLING_VERSION
        ? `protocolVersion ${m.protocolVersion}, want ${SignallingProtocol.SIGNALLING_VERSION}` : undefined);
    streamer.expect(Messages.identify, () => streamer.send(Messages.endpointId, { id: streamerId }));
    streamer.expect(Messages.endpointIdConfirm, (m) => m.committedId !== streamerId ? `committedId ${m.committedId}` : undefined);
    player.expectSocket('open');
    player.expect(Messages.config);
    if (!await phase('initial connection: config, identify, endpointId, endpointIdConfirm', [streamer, player])) return;

    // 2. Keepalive: the time comes back exactly as sent.
    await phase('ping answered by pong with the same time', [streamer, player], () => {
        streamer.send(Messages.ping, { time: 1234567 });
        streamer.expect(Messages.pong, (m) => m.time !== 1234567 ? `time ${m.time}` : undefined);
        player.send(Messages.ping, { time: 7654321 });
        player.expect(Messages.pong, (m) => m.time !== 7654321 ? `time ${m.time}` : undefined);
    });

    // 3. Subscribing and negotiating: every signalling message reaches the other side, playerId stamped towards the streamer only.
    const sdpOffer = 'v=0 conformance offer';
    const sdpAnswer = 'v=0 conformance answer';
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'frag1' };
    const playerCandidate = { candidate: 'candidate:2 1 udp 2122260223 127.0.0.1 50001 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    await phase('listStreamers, subscribe, playerConnected, offer, answer, iceCandidate both ways', [streamer, player], () => {
        player.send(Messages.listStreamers);
        player.expect(Messages.streamerList, (m) => {
            if (!m.ids.includes(streamerId)) return `ids ${JSON.stringify(m.ids)} do not include ${streamerId}`;
            player.send(Messages.subscribe, { streamerId });
        });
        streamer.expect(Messages.playerConnected, (m) => {
            ids.player = m.playerId;
            streamer.send(Messages.offer, { sdp: sdpOffer, playerId: m.playerId });
            if (m.dataChannel !== true || m.sfu !== false) return `dataChannel ${m.dataChannel}, sfu ${m.sfu}`;
        });
        player.expect(Messages.offer, (m) => {
            player.send(Messages.answer, { sdp: sdpAnswer });
            if (m.sdp !== sdpOffer) return 'offer sdp changed';
            if ('playerId' in m) return 'playerId leaked to the player';
        });
        streamer.expect(Messages.answer, (m) => {
            streamer.send(Messages.iceCandidate, { playerId: m.playerId, candidate });
            player.send(Messages.iceCandidate, { candidate: playerCandidate });
            if (m.sdp !== sdpAnswer) return 'answer sdp changed';
            if (m.playerId !== ids.player) return `answer playerId ${m.playerId}, want ${ids.player}`;
        });
        player.expect(Messages.iceCandidate, (m) => equal(m.candidate, candidate) ? undefined : `candidate ${JSON.stringify(m.candidate)}`);
        streamer.expect(Messages.iceCandidate, (m) => m.playerId !== ids.player ? `playerId ${m.playerId}`
            : equal(m.candidate, playerCandidate) ? undefined : `candidate ${JSON.stringify(m.candidate)}`);
    });

    // 4. Player-to-streamer control messages are forwarded with the player's id.
    await phase('layerPreference, dataChannelRequest, peerDataChannelsReady forwarded to the streamer', [streamer, player], () => {
        player.send(Messages.layerPreference, { spatialLayer: 6, temporalLayer: 9 });
        player.send(Messages.dataChannelRequest);
        player.send(Messages.peerDataChannelsReady);
        streamer.expect(Messages.layerPreference, (m) => m.spatialLayer !== 6 || m.temporalLayer !== 9 || m.playerId !== ids.player
            ? `got ${JSON.stringify(m)}` : undefined);
        streamer.expect(Messages.dataChannelRequest, (m) => m.playerId !== ids.player ? `playerId ${m.playerId}` : undefined);
        streamer.expect(Messages.peerDataChannelsReady, (m) => m.playerId !== ids.player ? `playerId ${m.playerId}` : undefined);
    });

    // 5. A second endpointId renames the streamer: it gets the new id confirmed, its player hears streamerIdChanged.
    await phase('second endpointId renames: endpointIdConfirm and streamerIdChanged', [streamer, player], () => {
        streamer.send(Messages.endpointId, { id: renamedId });
        streamer.expect(Messages.endpointIdConfirm, (m) => m.committedId !== renamedId ? `committedId ${m.committedId}` : undefined);
        player.expect(Messages.streamerIdChanged, (m) => m.newID !== renamedId ? `newID ${m.newID}` : undefined);
    });

    // 6. The streamer kicks its player: closed with 1011 and the streamer's reason; the streamer is told.
    await phase('disconnectPlayer closes the player (1011, reason) and the streamer gets playerDisconnected', [streamer, player], () => {
        streamer.send(Messages.disconnectPlayer, { playerId: ids.player, reason: 'conformance kick' });
        player.expectSocket('close', (e) => e.code !== 1011 || e.reason !== 'conformance kick' ? `closed ${e.code} "${e.reason}"` : undefined);
        streamer.expect(Messages.playerDisconnected, (m) => m.playerId !== ids.player ? `playerId ${m.playerId}` : undefined);
    });

    // 7. A player that closes its socket mid-negotiation is reported to the streamer (SS_Test's last phase), under the new id.
    player = new Endpoint('Player2', config.playerUrls[1]);
    await phase('reconnect, subscribe to the renamed streamer, close: playerDisconnected', [streamer, player], () => {
        player.expectSocket('open');
        player.expect(Messages.config, () => player.send(Messages.listStreamers));
        player.expect(Messages.streamerList, (m) => {
            player.send(Messages.subscribe, { streamerId: renamedId });
            if (!m.ids.includes(renamedId)) return `ids ${JSON.stringify(m.ids)} do not include ${renamedId}`;
        });
        streamer.expect(Messages.playerConnected, (m) => {
            ids.player = m.playerId;
            streamer.send(Messages.offer, { sdp: sdpOffer, playerId: m.playerId });
        });
        player.expect(Messages.offer, () => player.close(1000, 'Done'));
        player.expectSocket('close');
        streamer.expect(Messages.playerDisconnected, (m) => m.playerId !== ids.player ? `playerId ${m.playerId}` : undefined);
    });

    // 8. Subscribing to an id that names no streamer fails with subscribeFailed, and the connection stays usable.
    player = new Endpoint('Player3', config.playerUrls[2]);
    await phase('subscribe to an unknown streamer gets subscribeFailed', [streamer, player], () => {
        player.expectSocket('open');
        player.expect(Messages.config, () => player.send(Messages.subscribe, { streamerId: 'no_such_streamer' }));
        player.expect(Messages.subscribeFailed, (m) => {
            player.send(Messages.ping, { time: 42 });
            if (!m.message) return 'no message';
        });
        player.expect(Messages.pong);
    });
    player.close(1000, 'Done');

    // 9. Unsubscribing ends the session for the streamer; a type the protocol does not define gets no reply.
    player = new Endpoint('Player4', config.playerUrls[3]);
    await phase('unsubscribe sends playerDisconnected; unknown types are ignored', [streamer, player], () => {
        player.expectSocket('open');
        player.expect(Messages.config, () => player.send(Messages.subscribe, { streamerId: renamedId }));
        streamer.expect(Messages.playerConnected, (m) => {
            ids.player = m.playerId;
            player.sendRaw({ type: 'conformanceUnknownType' });
            streamer.sendRaw({ type: 'conformanceUnknownType' });
            player.send(Messages.unsubscribe);
        });
        streamer.expect(Messages.playerDisconnected, (m) => m.playerId !== ids.player ? `playerId ${m.playerId}` : undefined);
    });

    // 10. The streamer leaves mid-session: as with Epic's server, the player's socket is closed.
    await phase('streamer leaving mid-session closes its player\'s socket', [streamer, player], () => {
        player.send(Messages.subscribe, { streamerId: renamedId });
        streamer.expect(Messages.playerConnected, (m) => streamer.send(Messages.offer, { sdp: sdpOffer, playerId: m.playerId }));
        player.expect(Messages.offer, () => streamer.close(1000, 'streamer restarting'));
        streamer.expectSocket('close');
        player.expectSocket('close');
    });
}

main()
    .catch((e) => results.push({ name: 'run', errors: [String(e && e.stack || e)] }))
    .finally(() => {
        const failed = results.filter((r) => r.errors.length > 0).length;
        console.log(`${results.length - failed} passed, ${failed} failed`);
        process.exit(failed === 0 && results.length > 0 ? 0 : 1);
    });
