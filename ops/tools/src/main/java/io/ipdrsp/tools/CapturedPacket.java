package io.ipdrsp.tools;

import java.time.Instant;

/**
 * One packet record of a capture file.
 *
 * @param number   1-based position among all packet records of the file (the "frame number" Wireshark shows)
 * @param time     capture time, or {@code null} when the format records none (pcapng Simple Packet Block)
 * @param linkType LINKTYPE_* of the interface the packet was captured on
 * @param data     the captured bytes (possibly shorter than the packet on the wire)
 */
record CapturedPacket(long number, Instant time, int linkType, byte[] data) {
}
