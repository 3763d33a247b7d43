package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.Bytes;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The document header (IPDR/XDR 3.5 §4.2; the XML root's attributes carry the same facts, digest §5.1). The XDR
 * {@code version} is not a component: this package reads and writes version 4 (IPDR 3.5) only.
 *
 * @param ipdrRecorderInfo      who produced the document (XML {@code IPDRRecorderInfo})
 * @param startTimeMillis       milliseconds since 1970 UTC (XML {@code creationTime})
 * @param defaultNameSpaceURI   e.g. {@link #IPDR_NAMESPACE}
 * @param otherNameSpaces       further namespaces and their prefixes
 * @param serviceDefinitionURIs the service definitions (XSDs) the records follow
 * @param docId                 the document id; 16 bytes when written (an SP documentId), any length when read
 */
public record DocumentHeader(String ipdrRecorderInfo, long startTimeMillis, String defaultNameSpaceURI,
                             List<NameSpace> otherNameSpaces, List<String> serviceDefinitionURIs, Bytes docId) {
    /** The IPDR namespace, lower case as deployed readers expect (digest §5.1 ruling). */
    public static final String IPDR_NAMESPACE = "http://www.ipdr.org/namespaces/ipdr";

    public DocumentHeader {
        Objects.requireNonNull(ipdrRecorderInfo, "ipdrRecorderInfo");
        Objects.requireNonNull(defaultNameSpaceURI, "defaultNameSpaceURI");
        otherNameSpaces = List.copyOf(otherNameSpaces);
        serviceDefinitionURIs = List.copyOf(serviceDefinitionURIs);
        Objects.requireNonNull(docId, "docId");
    }

    /** A header in the IPDR namespace with no other namespaces. */
    public static DocumentHeader of(String recorderInfo, long startTimeMillis, UUID docId,
                                    List<String> serviceDefinitionURIs) {
        return new DocumentHeader(recorderInfo, startTimeMillis, IPDR_NAMESPACE, List.of(), serviceDefinitionURIs,
            uuidBytes(docId));
    }

    /** The docId as a UUID (XML's dashed form), or null when it is not 16 bytes. */
    public UUID docIdAsUuid() {
        return docId.length() == 16 ? uuid(docId.toByteArray()) : null;
    }

    static UUID uuid(byte[] sixteen) {
        ByteBuffer b = ByteBuffer.wrap(sixteen);
        return new UUID(b.getLong(), b.getLong());
    }

    /** Dashed lower-case hex of 16 bytes. */
    static String uuidText(byte[] sixteen) {
        return uuid(sixteen).toString();
    }

    /** The 16 bytes of a UUID in network order (how SP's documentId and the XDR docId carry it). */
    public static Bytes uuidBytes(UUID id) {
        return Bytes.of(ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits()).array());
    }
}
