package io.switchboard.groupcall.protocol;

/** A trickled ICE candidate as browsers send it (RTCIceCandidate's JSON). */
public record IceCandidate(String candidate, String sdpMid, int sdpMLineIndex) {}
