"""aiortc as an independent WebRTC peer for the MobZ echo interop test.

Protocol on stdio, one JSON object per line:
  -> {"offer": "<sdp>"}             (printed once the offer has its candidates)
  <- {"answer": "<sdp>"}            (read from stdin)
  -> {"state": "connected"}         (each connection state change)
  -> {"result": {...}}              (frames received from the echo, then exit)
Run with Debian's /usr/bin/python3 (python3-aiortc).
"""
import asyncio
import json
import logging
import sys

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def count_frames(track, counts, key):
    try:
        while True:
            await track.recv()
            counts[key] += 1
    except MediaStreamError:
        pass


async def main(timeout):
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    pc = RTCPeerConnection()
    counts = {"video": 0, "audio": 0}
    tasks = []
    connected = asyncio.Event()

    @pc.on("connectionstatechange")
    async def on_state():
        emit({"state": pc.connectionState})
        if pc.connectionState == "connected":
            connected.set()

    @pc.on("track")
    def on_track(track):
        tasks.append(asyncio.ensure_future(count_frames(track, counts, track.kind)))

    pc.addTransceiver(VideoStreamTrack(), direction="sendrecv")
    pc.addTransceiver(AudioStreamTrack(), direction="sendrecv")
    await pc.setLocalDescription(await pc.createOffer())
    emit({"offer": pc.localDescription.sdp})

    line = await asyncio.get_event_loop().run_in_executor(None, sys.stdin.readline)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=json.loads(line)["answer"], type="answer"))

    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    try:
        await asyncio.wait_for(connected.wait(), timeout)
        while loop.time() < deadline and (counts["video"] < 10 or counts["audio"] < 10):
            await asyncio.sleep(0.1)
    except asyncio.TimeoutError:
        pass
    emit({"result": {"connected": connected.is_set(), "videoFrames": counts["video"], "audioFrames": counts["audio"]}})
    for task in tasks:
        task.cancel()
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0))
