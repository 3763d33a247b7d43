/**
 * Complete IPDR documents (digest §5): the IPDR/XDR version 4 file format ({@link io.ipdrsp.protocol.doc.IpdrXdrWriter},
 * {@link io.ipdrsp.protocol.doc.IpdrXdrReader}) and IPDR/XML 3.5 ({@link io.ipdrsp.protocol.doc.IpdrXmlWriter}).
 * Everything streams: a document of millions of records is never held in memory.
 */
package io.ipdrsp.protocol.doc;
