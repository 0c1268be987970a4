"""A MobZ m2m publisher on aiortc that does its own room signaling, as a non-browser client would.

Usage: aiortc_room_publisher.py <rooms ws:// URL with access token> <roomId>

It joins as a publisher, offers its moving test picture and tone to the station's Munit, keeps the connection
alive with Heartbeats, and follows StationMoved without anyone's help: when its own station moves to another
Munit it closes the old peer connection and offers again from a new one (docs/protocol.md). It reports on stdout
as JSON lines:
  {"event": "joined", "stationId": ..., "participantId": ...}
  {"event": "state", "connection": n, "state": "connected"}   (n counts peer connections, 1 before any move)
  {"event": "moved", "stationId": ..., "reason": ...}
and runs until stdin closes. Needs Debian's python3-aiortc and python3-websockets (/usr/bin/python3).
"""
import asyncio
import itertools
import json
import sys

import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription

from aiortc_publisher import MovingBars, Tone


def report(**event):
    print(json.dumps(event), flush=True)


class RoomPublisher:
    def __init__(self, ws, room):
        self.ws = ws
        self.room = room
        self.request_ids = itertools.count(1)
        self.station = None
        self.pc = None
        self.connections = 0
        self.offer_request = None
        self.heartbeat_seconds = 10.0

    async def send(self, message):
        message["requestId"] = str(next(self.request_ids))
        await self.ws.send(json.dumps(message))
        return message["requestId"]

    async def offer(self):
        """A new peer connection (the old one points at the old Munit) and a new Offer for our station."""
        if self.pc is not None:
            await self.pc.close()
        self.connections += 1
        number = self.connections
        pc = self.pc = RTCPeerConnection()

        @pc.on("connectionstatechange")
        def on_state():
            report(event="state", connection=number, state=pc.connectionState)

        pc.addTransceiver(Tone(), direction="sendonly")
        pc.addTransceiver(MovingBars(), direction="sendonly")
        # aiortc gathers every candidate before setLocalDescription returns: one Offer, no trickle.
        await pc.setLocalDescription(await pc.createOffer())
        self.offer_request = await self.send({"action": "Offer", "stationId": self.station, "sdp": pc.localDescription.sdp})

    async def on_message(self, m):
        action = m.get("action")
        if action == "JoinAck":
            self.station = m["stationId"]
            self.heartbeat_seconds = m.get("heartbeatIntervalMs", 10000) / 1000
            report(event="joined", stationId=self.station, participantId=m.get("participantId"))
            await self.offer()
        elif action == "Answer":
            # Only the answer to our latest offer: one to an offer sent before a move belongs to a closed connection.
            if m.get("requestId") == self.offer_request and self.pc is not None:
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=m["sdp"], type="answer"))
        elif action == "StationMoved":
            if m.get("stationId") == self.station:
                report(event="moved", stationId=self.station, reason=m.get("reason"))
                await self.offer()
        elif action == "Error":
            print(f"signaling error: {m}", file=sys.stderr, flush=True)

    async def heartbeat(self):
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            await self.send({"action": "Heartbeat"})

    async def run(self):
        await self.send({"action": "Join", "roomId": self.room, "roomKind": "m2m", "role": "publisher", "audio": True, "video": True})
        beating = asyncio.create_task(self.heartbeat())
        try:
            async for raw in self.ws:
                await self.on_message(json.loads(raw))
        finally:
            beating.cancel()
            if self.pc is not None:
                await self.pc.close()


async def main(url, room):
    loop = asyncio.get_running_loop()
    async with websockets.connect(url, max_size=2 ** 22) as ws:
        publisher = asyncio.create_task(RoomPublisher(ws, room).run())
        stdin_closed = loop.run_in_executor(None, sys.stdin.read)
        done, _ = await asyncio.wait([publisher, stdin_closed], return_when=asyncio.FIRST_COMPLETED)
        if publisher in done:
            publisher.result()  # raises what ended it (the socket closed under us)
            raise SystemExit("the rooms socket closed")
        publisher.cancel()
        try:
            await publisher
        except asyncio.CancelledError:
            pass


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
