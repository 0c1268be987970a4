"""The live call of the soak suite: an aiortc publisher and an aiortc viewer in one m2m room, through the Munit.

Usage: aiortc_soak_call.py <publisher rooms URL> <viewer rooms URL> <roomId>

Both do their own room signaling (docs/protocol.md). The publisher sends a small moving picture (320x180, so two
shared cores are not spent on encoding) and a tone; the viewer receives both. Reports on stdout, as JSON lines:
  {"event": "addresses", "publisher": [host, port], "viewer": [host, port], "munit": [host, port]}
      once both are connected: the UDP addresses of the call (the soak's attacker spoofs the peers' ones)
  {"event": "stats", "t": seconds, "sent": n, "received": n}
      every 0.5 s: RTP packets the publisher sent and the viewer received so far (audio and video)
Runs until stdin closes. Needs Debian's python3-aiortc and python3-websockets (/usr/bin/python3).
"""
import asyncio
import fractions
import itertools
import json
import math
import sys
import time

import numpy
import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from av import AudioFrame, VideoFrame


def report(**event):
    print(json.dumps(event), flush=True)


class SmallBars(VideoStreamTrack):
    async def recv(self):
        pts, time_base = await self.next_timestamp()
        image = numpy.zeros((180, 320, 3), numpy.uint8)
        offset = int(pts / 3000) % 320
        image[:, offset:offset + 20] = (255, 255, 255)
        frame = VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class Tone(AudioStreamTrack):
    async def recv(self):
        frame = await super().recv()
        t = (numpy.arange(frame.samples) + frame.pts) / frame.sample_rate
        tone = (numpy.sin(2 * math.pi * 440 * t) * 3000).astype(numpy.int16)
        out = AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
        out.pts = frame.pts
        out.sample_rate = frame.sample_rate
        out.time_base = fractions.Fraction(1, frame.sample_rate)
        return out


class Signaling:
    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)
        self.inbox = asyncio.Queue()

    async def send(self, message):
        message["requestId"] = str(next(self.ids))
        await self.ws.send(json.dumps(message))
        return message["requestId"]

    async def pump(self):
        async for raw in self.ws:
            await self.inbox.put(json.loads(raw))

    async def expect(self, action):
        while True:
            m = await self.inbox.get()
            if m.get("action") == action:
                return m
            if m.get("action") == "Error":
                raise SystemExit(f"signaling error while waiting for {action}: {m}")

    async def heartbeat(self, seconds):
        while True:
            await asyncio.sleep(seconds)
            await self.send({"action": "Heartbeat"})


def nominated(pc):
    connection = pc.getTransceivers()[0].receiver.transport.transport._connection
    pair = connection._nominated.get(1)
    return None if pair is None else (list(pair.local_addr), list(pair.remote_addr))


async def connected(pc):
    while pc.connectionState != "connected":
        if pc.connectionState in ("failed", "closed"):
            raise SystemExit("peer connection " + pc.connectionState)
        await asyncio.sleep(0.1)


async def drain(track):
    try:
        while True:
            await track.recv()
    except MediaStreamError:
        pass


async def packets(pc, kind, field):
    stats = await pc.getStats()
    return sum(getattr(s, field) for s in stats.values() if s.type == kind)


async def main(publisher_url, viewer_url, room):
    async with websockets.connect(publisher_url) as pws, websockets.connect(viewer_url) as vws:
        pub, view = Signaling(pws), Signaling(vws)
        tasks = [asyncio.create_task(pub.pump()), asyncio.create_task(view.pump()),
                 asyncio.create_task(pub.heartbeat(5)), asyncio.create_task(view.heartbeat(5))]

        await pub.send({"action": "Join", "roomId": room, "roomKind": "m2m", "role": "publisher"})
        station = (await pub.expect("JoinAck"))["stationId"]
        ppc = RTCPeerConnection()
        ppc.addTransceiver(Tone(), direction="sendonly")
        ppc.addTransceiver(SmallBars(), direction="sendonly")
        await ppc.setLocalDescription(await ppc.createOffer())
        await pub.send({"action": "Offer", "stationId": station, "sdp": ppc.localDescription.sdp})
        await ppc.setRemoteDescription(RTCSessionDescription(sdp=(await pub.expect("Answer"))["sdp"], type="answer"))
        await connected(ppc)

        # Live once the Munit has its media: Watch answers with an offer from then on.
        await view.send({"action": "Join", "roomId": room, "roomKind": "m2m", "role": "viewer"})
        await view.expect("JoinAck")
        while True:
            await view.send({"action": "Watch", "stationId": station})
            m = await view.inbox.get()
            while m.get("action") not in ("WatchAck", "Error"):
                m = await view.inbox.get()
            if m["action"] == "WatchAck":
                break
            await asyncio.sleep(0.2)
        vpc = RTCPeerConnection()
        vpc.on("track", lambda track: tasks.append(asyncio.create_task(drain(track))))
        await vpc.setRemoteDescription(RTCSessionDescription(sdp=m["sdp"], type="offer"))
        await vpc.setLocalDescription(await vpc.createAnswer())
        await view.send({"action": "Answer", "stationId": station, "sdp": vpc.localDescription.sdp})
        await connected(vpc)

        (publisher, munit), (viewer, _) = nominated(ppc), nominated(vpc)
        report(event="addresses", publisher=publisher, viewer=viewer, munit=munit)

        loop = asyncio.get_running_loop()
        stdin_closed = loop.run_in_executor(None, sys.stdin.read)
        while not stdin_closed.done():
            for task in tasks:
                if task.done() and task.exception() is not None:
                    raise task.exception()
            report(event="stats", t=time.monotonic(),
                   sent=await packets(ppc, "outbound-rtp", "packetsSent"),
                   received=await packets(vpc, "inbound-rtp", "packetsReceived"))
            await asyncio.sleep(0.5)
        for task in tasks:
            task.cancel()
        await vpc.close()
        await ppc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
