"""A MobZ m2m publisher on aiortc, a WebRTC stack independent of Chromium.

The test does the room signaling over the WebSocket; this process only does WebRTC:
it prints {"sdp": offer} as one JSON line, reads {"sdp": answer} as one JSON line, then
sends a moving test picture and a tone until stdin closes.
Run with Debian's /usr/bin/python3 (python3-aiortc).
"""
import asyncio
import fractions
import json
import math
import sys

import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from av import AudioFrame, VideoFrame


class MovingBars(VideoStreamTrack):
    """640x360 frames whose content changes every frame, so the receiver really decodes video."""

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        image = numpy.zeros((360, 640, 3), numpy.uint8)
        offset = int(pts / 3000) % 640
        image[:, offset:offset + 40] = (255, 255, 255)
        image[:, :, 1] = (image[:, :, 1] + numpy.arange(640, dtype=numpy.uint8)[None, :]) % 255
        frame = VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class Tone(AudioStreamTrack):
    async def recv(self):
        frame = await super().recv()
        samples = frame.samples
        t = (numpy.arange(samples) + frame.pts) / frame.sample_rate
        tone = (numpy.sin(2 * math.pi * 440 * t) * 3000).astype(numpy.int16)
        out = AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
        out.pts = frame.pts
        out.sample_rate = frame.sample_rate
        out.time_base = fractions.Fraction(1, frame.sample_rate)
        return out


async def main():
    pc = RTCPeerConnection()
    pc.addTransceiver(Tone(), direction="sendonly")
    pc.addTransceiver(MovingBars(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    print(json.dumps({"sdp": pc.localDescription.sdp}), flush=True)

    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    if not line.strip():
        await pc.close()
        return
    answer = json.loads(line)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))

    @pc.on("connectionstatechange")
    def on_state():
        print(json.dumps({"state": pc.connectionState}), flush=True)

    # Runs until the test closes stdin.
    await loop.run_in_executor(None, sys.stdin.readline)
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main())
