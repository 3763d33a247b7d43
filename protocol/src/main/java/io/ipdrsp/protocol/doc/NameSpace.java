package io.ipdrsp.protocol.doc;

import java.util.Objects;

/** One entry of the XDR header's {@code otherNameSpaces} (IPDR/XDR 3.5 §4.2): a URI and the prefix it is known by. */
public record NameSpace(String nameSpaceURI, String nameSpaceID) {
    public NameSpace {
        Objects.requireNonNull(nameSpaceURI, "nameSpaceURI");
        Objects.requireNonNull(nameSpaceID, "nameSpaceID");
    }
}
