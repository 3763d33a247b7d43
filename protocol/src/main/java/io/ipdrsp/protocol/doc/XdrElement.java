package io.ipdrsp.protocol.doc;

/** One element of an IPDR/XDR document's indefinite element list, as read by {@link IpdrXdrReader}. */
public sealed interface XdrElement permits RecordDescriptor, XdrRecord, DocEnd {
}
