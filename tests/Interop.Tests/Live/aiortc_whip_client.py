"""A WHIP client (RFC 9725) on aiortc, a WebRTC stack independent of Chromium.

Usage: aiortc_whip_client.py <WHIP endpoint URL> <bearer token>
POSTs a sendonly H.264 + Opus offer (all candidates in it: aiortc gathers before the offer is set) with the token,
prints {"whip": {"status", "location", "contentType", "answer"}} as one JSON line, applies the answer and prints
{"state": ...} lines as the connection changes, sending a moving picture and a tone meanwhile. A line "delete" on
stdin ({"command": "delete"}) sends DELETE to the session URL and prints {"deleted": status}; then (or when stdin closes) it exits.
Run with Debian's /usr/bin/python3 (python3-aiortc).
"""
import asyncio
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Rooms"))
from aiortc_publisher import MovingBars, Tone  # noqa: E402


def request(method, url, token, body=None):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/sdp"
    req = urllib.request.Request(url, data=body.encode() if body else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


async def main():
    endpoint, token = sys.argv[1], sys.argv[2]
    pc = RTCPeerConnection()
    pc.addTransceiver(Tone(), direction="sendonly")
    video = pc.addTransceiver(MovingBars(), direction="sendonly")
    # A p2m stream goes to LL-HLS, which carries H.264: offer only that, as OBS does.
    video.setCodecPreferences(
        [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType in ("video/H264", "video/rtx")]
    )

    @pc.on("connectionstatechange")
    def on_state():
        print(json.dumps({"state": pc.connectionState}), flush=True)

    await pc.setLocalDescription(await pc.createOffer())
    loop = asyncio.get_running_loop()
    status, headers, body = await loop.run_in_executor(
        None, request, "POST", endpoint, token, pc.localDescription.sdp
    )
    headers = {k.lower(): v for k, v in headers.items()}
    location = headers.get("location")
    print(
        json.dumps(
            {"whip": {"status": status, "location": location, "contentType": headers.get("content-type"), "answer": body}}
        ),
        flush=True,
    )
    if status != 201:
        await pc.close()
        return
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))

    line = await loop.run_in_executor(None, sys.stdin.readline)
    if line.strip() and json.loads(line).get("command") == "delete":
        session = urllib.parse.urljoin(endpoint, location)
        status, _, _ = await loop.run_in_executor(None, request, "DELETE", session, token)
        print(json.dumps({"deleted": status}), flush=True)
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main())
