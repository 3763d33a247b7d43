package io.ipdrsp.protocol;

import java.util.Map;

/**
 * An IPDR field type as carried in a {@link FieldDescriptor#typeId()} (IPDR/XDR 3.5 §4.3.1; digest §2).
 *
 * <p>The wire layout is decided by the <em>low byte</em> alone, so a derived type we have never heard of (say 0x927)
 * is still skipped correctly; the full id only chooses the presentation (name, text rendering). Bits 31 and 30 are
 * the IPDR 3.5 structure and array flags (§2.4). Instances are immutable; {@link #of(int)} never fails: a type whose
 * low byte is not a base type is returned with {@link #isSupported()} false so that the caller can report it.
 */
public final class FieldType {
    public static final int STRUCTURE_FLAG = 0x80000000;
    public static final int ARRAY_FLAG = 0x40000000;

    // Base types (XDR 3.5 §4.3.1.2/3).
    public static final int INT = 0x21;
    public static final int UNSIGNED_INT = 0x22;
    public static final int LONG = 0x23;
    public static final int UNSIGNED_LONG = 0x24;
    public static final int FLOAT = 0x25;
    public static final int DOUBLE = 0x26;
    public static final int HEX_BINARY = 0x27;
    public static final int STRING = 0x28;
    public static final int BOOLEAN = 0x29;
    public static final int BYTE = 0x2a;
    public static final int UNSIGNED_BYTE = 0x2b;
    public static final int SHORT = 0x2c;
    public static final int UNSIGNED_SHORT = 0x2d;
    // Derived types (third byte names them, low byte encodes them).
    public static final int DATE_TIME = 0x122;
    public static final int DATE_TIME_MSEC = 0x224;
    public static final int IPV4_ADDR = 0x322;
    public static final int IPV6_ADDR = 0x427;
    public static final int UUID = 0x527;
    public static final int DATE_TIME_USEC = 0x623;
    public static final int MAC_ADDRESS = 0x723;
    public static final int IP_ADDR = 0x827;

    /** How the value is laid out on the wire; chosen by the low byte of the type id. */
    public enum Layout {
        INT(4), UNSIGNED_INT(4), LONG(8), UNSIGNED_LONG(8), FLOAT(4), DOUBLE(8),
        /** 4-byte length + bytes. */
        HEX_BINARY(-1),
        /** 4-byte length + UTF-8 bytes. */
        STRING(-1),
        BOOLEAN(1), BYTE(1), UNSIGNED_BYTE(1), SHORT(2), UNSIGNED_SHORT(2);

        private static final Layout[] BY_LOW_BYTE = values();
        private final int fixedSize;

        Layout(int fixedSize) {
            this.fixedSize = fixedSize;
        }

        /** Bytes on the wire, or -1 for a length-prefixed layout. */
        public int fixedSize() {
            return fixedSize;
        }

        public boolean isVariable() {
            return fixedSize < 0;
        }

        /** The base type id (0x21..0x2d) of this layout. */
        public int baseTypeId() {
            return 0x21 + ordinal();
        }

        static Layout ofLowByte(int lowByte) {
            int i = lowByte - 0x21;
            return i >= 0 && i < BY_LOW_BYTE.length ? BY_LOW_BYTE[i] : null;
        }
    }

    /** How a value is shown to people and tools; chosen by the full type id. */
    public enum Presentation {
        NUMBER, TEXT, HEX, BOOLEAN,
        /** seconds since 1970 UTC */
        DATE_TIME_SEC,
        /** milliseconds since 1970 UTC */
        DATE_TIME_MSEC,
        /** microseconds since 1970 UTC */
        DATE_TIME_USEC, IPV4, IPV6, UUID, MAC, IP_ADDR
    }

    private static final String[] BASE_NAMES = {"int", "unsignedInt", "long", "unsignedLong", "float", "double",
        "hexBinary", "string", "boolean", "byte", "unsignedByte", "short", "unsignedShort"};

    private static final Map<Integer, String> DERIVED_NAMES = Map.of(DATE_TIME, "dateTime",
        DATE_TIME_MSEC, "dateTimeMsec", IPV4_ADDR, "ipV4Addr", IPV6_ADDR, "ipV6Addr", UUID, "uuid",
        DATE_TIME_USEC, "dateTimeUsec", MAC_ADDRESS, "macAddress", IP_ADDR, "ipAddr");

    private static final FieldType[] BASE = new FieldType[BASE_NAMES.length];
    private static final Map<Integer, FieldType> KNOWN;

    static {
        java.util.HashMap<Integer, FieldType> known = new java.util.HashMap<>();
        for (int i = 0; i < BASE.length; i++) {
            BASE[i] = create(0x21 + i);
            known.put(0x21 + i, BASE[i]);
        }
        for (int id : DERIVED_NAMES.keySet()) {
            known.put(id, create(id));
        }
        KNOWN = Map.copyOf(known);
    }

    private final int typeId;
    private final String name;
    private final Layout layout;
    private final Presentation presentation;

    private FieldType(int typeId, String name, Layout layout, Presentation presentation) {
        this.typeId = typeId;
        this.name = name;
        this.layout = layout;
        this.presentation = presentation;
    }

    /** The type for a wire type id; never null, never throws. */
    public static FieldType of(int typeId) {
        FieldType known = KNOWN.get(typeId);
        return known != null ? known : create(typeId);
    }

    private static FieldType create(int typeId) {
        int plain = typeId & ~(STRUCTURE_FLAG | ARRAY_FLAG);
        Layout layout = Layout.ofLowByte(plain & 0xff);
        String name;
        Presentation presentation;
        String derived = DERIVED_NAMES.get(plain);
        if (layout == null) {
            name = "unknown(0x" + Integer.toHexString(plain) + ")";
            presentation = Presentation.HEX;
        } else if (plain == layout.baseTypeId()) {
            name = BASE_NAMES[layout.ordinal()];
            presentation = basePresentation(layout);
        } else if (derived != null) {
            name = derived;
            presentation = derivedPresentation(plain);
        } else {
            // An unknown derived type: skip by its base layout and show it as that base type.
            name = "derived(0x" + Integer.toHexString(plain) + ")/" + BASE_NAMES[layout.ordinal()];
            presentation = basePresentation(layout);
        }
        if ((typeId & STRUCTURE_FLAG) != 0) {
            name = "structure(" + name + ")";
        }
        if ((typeId & ARRAY_FLAG) != 0) {
            name = name + "[]";
        }
        return new FieldType(typeId, name, layout, presentation);
    }

    private static Presentation basePresentation(Layout layout) {
        return switch (layout) {
            case HEX_BINARY -> Presentation.HEX;
            case STRING -> Presentation.TEXT;
            case BOOLEAN -> Presentation.BOOLEAN;
            default -> Presentation.NUMBER;
        };
    }

    private static Presentation derivedPresentation(int id) {
        return switch (id) {
            case DATE_TIME -> Presentation.DATE_TIME_SEC;
            case DATE_TIME_MSEC -> Presentation.DATE_TIME_MSEC;
            case DATE_TIME_USEC -> Presentation.DATE_TIME_USEC;
            case IPV4_ADDR -> Presentation.IPV4;
            case IPV6_ADDR -> Presentation.IPV6;
            case UUID -> Presentation.UUID;
            case MAC_ADDRESS -> Presentation.MAC;
            case IP_ADDR -> Presentation.IP_ADDR;
            default -> throw new IllegalArgumentException("not a derived type: 0x" + Integer.toHexString(id));
        };
    }

    /** The full wire id including flags. */
    public int typeId() {
        return typeId;
    }

    /** XML-Schema / IPDR name, e.g. {@code unsignedInt}, {@code ipV4Addr}; flagged types are decorated. */
    public String name() {
        return name;
    }

    /** The wire layout, or null when the low byte is not a base type (the field cannot even be skipped). */
    public Layout layout() {
        return layout;
    }

    public Presentation presentation() {
        return presentation;
    }

    public boolean isArray() {
        return (typeId & ARRAY_FLAG) != 0;
    }

    public boolean isStructure() {
        return (typeId & STRUCTURE_FLAG) != 0;
    }

    /** True when a record field of this type can be decoded without the STRUCTURES capability. */
    public boolean isSupported() {
        return layout != null && !isArray() && !isStructure();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldType t && t.typeId == typeId;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(typeId);
    }

    @Override
    public String toString() {
        return name + "(0x" + Integer.toHexString(typeId) + ")";
    }
}
