package io.ipdrsp.protocol;

/**
 * Per-exporter switches for {@link RecordDecoder} (and {@link RecordEncoder}).
 *
 * @param ipv6Raw           compatibility with exporters that send ipV6Addr (0x427) as 16 raw bytes without the
 *                          4-byte length, as the IPDR.org reference exporter does (captures README). The spec and
 *                          CMTSes length-prefix it, so this is off by default.
 * @param structures        the STRUCTURES capability was negotiated: fields flagged as arrays of a base type
 *                          (0x40000000) are decoded as a 4-byte element count followed by the elements. Structure
 *                          fields (0x80000000) stay undecodable either way because an SP FieldDescriptor cannot
 *                          carry their child list (digest §2.4).
 * @param maxVariableLength upper bound for any length prefix inside a record (string, hexBinary, array count);
 *                          a larger prefix is rejected before anything is sized by it.
 */
public record DecoderOptions(boolean ipv6Raw, boolean structures, int maxVariableLength) {
    /** Spec behaviour: length-prefixed ipV6Addr, no structures, 1 MiB per variable field. */
    public static final DecoderOptions DEFAULT = new DecoderOptions(false, false, 1 << 20);

    public DecoderOptions {
        if (maxVariableLength < 0) {
            throw new IllegalArgumentException("maxVariableLength < 0: " + maxVariableLength);
        }
    }

    public DecoderOptions withIpv6Raw(boolean on) {
        return new DecoderOptions(on, structures, maxVariableLength);
    }

    public DecoderOptions withStructures(boolean on) {
        return new DecoderOptions(ipv6Raw, on, maxVariableLength);
    }

    public DecoderOptions withMaxVariableLength(int max) {
        return new DecoderOptions(ipv6Raw, structures, max);
    }
}
