"""aiortc as a publisher or a viewer of a MobZ Munit (an independent WebRTC stack: aioice, OpenSSL DTLS, libsrtp).

Usage: /usr/bin/python3 aiortc_munit_peer.py publisher|viewer SECONDS
Protocol on stdio, one JSON object per line:
  publisher: -> {"offer": sdp}   <- {"answer": sdp}   -> {"state": ...}   then sends video+audio until SECONDS
  viewer:    <- {"offer": sdp}   -> {"answer": sdp}   -> {"state": ...}   -> {"result": {"videoFrames": n, "audioFrames": n}}
"""
import asyncio
import json
import sys

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def read_message(key):
    line = await asyncio.get_event_loop().run_in_executor(None, sys.stdin.readline)
    return json.loads(line)[key]


async def count_frames(track, counts, key):
    try:
        while True:
            await track.recv()
            counts[key] += 1
    except MediaStreamError:
        pass


async def publisher(seconds):
    pc = RTCPeerConnection()

    @pc.on("connectionstatechange")
    async def on_state():
        emit({"state": pc.connectionState})

    pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    emit({"offer": pc.localDescription.sdp})
    await pc.setRemoteDescription(RTCSessionDescription(await read_message("answer"), "answer"))
    await asyncio.sleep(seconds)
    await pc.close()


async def viewer(seconds):
    pc = RTCPeerConnection()
    counts = {"video": 0, "audio": 0}
    tasks = []

    @pc.on("connectionstatechange")
    async def on_state():
        emit({"state": pc.connectionState})

    @pc.on("track")
    def on_track(track):
        tasks.append(asyncio.ensure_future(count_frames(track, counts, track.kind)))

    await pc.setRemoteDescription(RTCSessionDescription(await read_message("offer"), "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    emit({"answer": pc.localDescription.sdp})
    deadline = asyncio.get_event_loop().time() + seconds
    while asyncio.get_event_loop().time() < deadline and counts["video"] < 30:
        await asyncio.sleep(0.1)
    emit({"result": {"videoFrames": counts["video"], "audioFrames": counts["audio"], "state": pc.connectionState}})
    await pc.close()


if __name__ == "__main__":
    role, seconds = sys.argv[1], float(sys.argv[2])
    asyncio.run(publisher(seconds) if role == "publisher" else viewer(seconds))
