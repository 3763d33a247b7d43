package io.ipdrsp.protocol.doc;

/**
 * DOCEND (stream element discriminator 3): the last element, exactly once.
 *
 * @param count         number of IPDRREC elements in the document, or -1 when the writer did not know
 * @param endTimeMillis milliseconds since 1970 UTC
 */
public record DocEnd(int count, long endTimeMillis) implements XdrElement {
}
