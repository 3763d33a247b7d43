package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.DecoderOptions;
import java.util.Objects;

/**
 * Bounds and compatibility switches for {@link IpdrXdrReader}. Every length or count read from a document is checked
 * against a bound here before anything is sized by it.
 *
 * @param decoder            record decoding ({@code maxVariableLength} bounds each string/hexBinary value);
 *                           {@code ipv6Raw} and {@code structures} are not meaningful in a file and are refused
 * @param maxStringLength    bound for header, type and attribute names
 * @param maxListCount       bound for namespace / service-definition / attribute counts
 * @param maxDescriptors     bound for distinct RECORDDESC ids in one document
 * @param maxRecordBytes     bound for the values of one IPDRREC
 * @param recordLengthWord   true (spec): each IPDRREC has a data length word after descriptorId, 0xFFFFFFFF
 *                           (indefinite) or, tolerated, the exact byte length; false: the word is absent, as in
 *                           the documents of the public {@code bjt123/ipdr_xdr_file_decoder} writer
 * @param wideSmallUnsigned  compatibility with the IPDR.org {@code c_ipdrbase} 2.0.1 writer, which writes
 *                           unsignedByte and unsignedShort as 4 bytes: such fields are decoded as unsignedInt (their
 *                           FieldValue then says unsignedInt; the descriptor keeps the declared type)
 * @param ipv6ZeroWordThen16 compatibility with the {@code bjt123} writer, which writes ipV6Addr as a zero word and
 *                           16 raw bytes: a zero-length ipV6Addr is then followed by 16 address bytes, and the record
 *                           is normalised to the spec form (length 16) before decoding, so an empty ipV6Addr
 *                           cannot be told apart in this mode
 */
public record XdrReaderOptions(DecoderOptions decoder, int maxStringLength, int maxListCount, int maxDescriptors,
                               int maxRecordBytes, boolean recordLengthWord, boolean wideSmallUnsigned,
                               boolean ipv6ZeroWordThen16) {
    /** Spec behaviour: 64 KiB names, 4096 list entries, 65536 descriptors, 16 MiB per record. */
    public static final XdrReaderOptions DEFAULT = new XdrReaderOptions(DecoderOptions.DEFAULT, 64 * 1024, 4096,
        65_536, 16 << 20, true, false, false);

    public XdrReaderOptions {
        Objects.requireNonNull(decoder, "decoder");
        if (decoder.ipv6Raw() || decoder.structures()) {
            throw new IllegalArgumentException("ipv6Raw/structures do not apply to XDR documents");
        }
        if (maxStringLength < 0 || maxListCount < 0 || maxDescriptors < 0 || maxRecordBytes < 0) {
            throw new IllegalArgumentException("negative bound");
        }
    }

    /** Reads documents of the IPDR.org reference library (test data {@code primitiveTypes.1.xdr}). */
    public XdrReaderOptions withWideSmallUnsigned(boolean on) {
        return new XdrReaderOptions(decoder, maxStringLength, maxListCount, maxDescriptors, maxRecordBytes,
            recordLengthWord, on, ipv6ZeroWordThen16);
    }

    public XdrReaderOptions withRecordLengthWord(boolean on) {
        return new XdrReaderOptions(decoder, maxStringLength, maxListCount, maxDescriptors, maxRecordBytes, on,
            wideSmallUnsigned, ipv6ZeroWordThen16);
    }

    public XdrReaderOptions withIpv6ZeroWordThen16(boolean on) {
        return new XdrReaderOptions(decoder, maxStringLength, maxListCount, maxDescriptors, maxRecordBytes,
            recordLengthWord, wideSmallUnsigned, on);
    }

    public XdrReaderOptions withMaxRecordBytes(int max) {
        return new XdrReaderOptions(decoder, maxStringLength, maxListCount, maxDescriptors, max, recordLengthWord,
            wideSmallUnsigned, ipv6ZeroWordThen16);
    }

    /** Both compatibility switches the {@code bjt123} writer needs. */
    public XdrReaderOptions bjt123() {
        return withRecordLengthWord(false).withIpv6ZeroWordThen16(true);
    }
}
