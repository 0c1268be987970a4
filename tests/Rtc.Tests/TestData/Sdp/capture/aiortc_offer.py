import asyncio, sys
from aiortc import RTCPeerConnection
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

async def main(out):
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    pc.createDataChannel("chat")
    offer = await pc.createOffer()
    await pc.setLocalDescription(offer)
    open(out + "/aiortc-offer.sdp", "w").write(pc.localDescription.sdp)
    await pc.close()
    # an answer from aiortc to Chromium's simulcast-free plain offer
    try:
        remote = open(out + "/chromium-offer-datachannel.sdp").read()
    except FileNotFoundError:
        return
    from aiortc import RTCSessionDescription
    pc = RTCPeerConnection()
    @pc.on("track")
    def on_track(track):
        pass
    await pc.setRemoteDescription(RTCSessionDescription(sdp=remote, type="offer"))
    for t in pc.getTransceivers():
        if t.kind == "audio":
            pc.addTrack(AudioStreamTrack())
        elif t.kind == "video":
            pc.addTrack(VideoStreamTrack())
    answer = await pc.createAnswer()
    await pc.setLocalDescription(answer)
    open(out + "/aiortc-answer-to-chromium.sdp", "w").write(pc.localDescription.sdp)
    await pc.close()

asyncio.run(main(sys.argv[1]))
