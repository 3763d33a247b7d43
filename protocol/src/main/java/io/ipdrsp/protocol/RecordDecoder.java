package io.ipdrsp.protocol;

import io.ipdrsp.protocol.IpdrDecodeException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.Objects;

/**
 * Decodes DATA records of one template. Compiled once per (template, options) into an opcode per enabled field, so
 * that decoding is a single loop over a byte array with absolute-index reads: no reflection, no boxing, no
 * allocation, and the caller's buffer indices are never moved.
 *
 * <p>The record is the DATA message's {@code dataRecord} <em>without</em> its 4-byte length prefix. Every length is
 * checked against the bytes left before it is used, and decoding succeeds only if the fields consume the record
 * exactly ({@link Reason#TRUNCATED} / {@link Reason#TRAILING_BYTES} otherwise). A template containing a field this
 * decoder cannot lay out (unknown low byte, or array/structure flags without STRUCTURES) compiles fine but every
 * record fails with {@link Reason#UNSUPPORTED_TYPE}: without the field's size nothing after it can be found, so the
 * caller keeps the raw bytes ({@link #decodeOrRaw}). Instances are immutable and thread-safe.
 */
public final class RecordDecoder {
    // Opcodes; the names say the wire size and the visitor callback.
    static final byte OP_I32 = 0;      // onInt
    static final byte OP_U32 = 1;      // onLong, zero-extended
    static final byte OP_I64 = 2;      // onLong
    static final byte OP_F32 = 3;
    static final byte OP_F64 = 4;
    static final byte OP_VAR = 5;      // 4-byte length + bytes, onBytes
    static final byte OP_BOOL = 6;
    static final byte OP_I8 = 7;       // onInt, sign-extended
    static final byte OP_U8 = 8;       // onInt, zero-extended
    static final byte OP_I16 = 9;
    static final byte OP_U16 = 10;
    static final byte OP_RAW16 = 11;   // ipV6Addr as 16 bytes without length (DecoderOptions.ipv6Raw)
    static final byte OP_ARRAY = 12;   // 4-byte count + elements of elementOps[i] (DecoderOptions.structures)

    private final TemplateBlock template;
    private final DecoderOptions options;
    private final List<FieldDescriptor> fields;
    private final FieldType[] types;
    private final byte[] ops;
    private final byte[] elementOps;
    private final int[] templateIndex;
    private final int maxVar;
    private final int minimumSize;
    /**
     * minRest[i] = smallest number of bytes fields i..n-1 can take. The loop keeps {@code end - p >= minRest[i]}
     * true on entry to field i, so fixed-size fields need no bounds check at all: only a length prefix can break
     * the invariant, and it is checked against the room the remaining fields need.
     */
    private final int[] minRest;
    /** Null when decodable; otherwise why every record of this template is undecodable. */
    private final String unsupported;

    private RecordDecoder(TemplateBlock template, DecoderOptions options) {
        this.template = template;
        this.options = options;
        this.fields = template.enabledFields();
        int n = fields.size();
        this.types = new FieldType[n];
        this.ops = new byte[n];
        this.elementOps = new byte[n];
        this.templateIndex = new int[n];
        this.maxVar = options.maxVariableLength();
        String why = null;
        int min = 0;
        for (int i = 0, t = 0; i < n; i++) {
            FieldDescriptor f = fields.get(i);
            while (template.fields().get(t) != f) {
                t++;
            }
            templateIndex[i] = t++;
            FieldType type = FieldType.of(f.typeId());
            types[i] = type;
            if (type.layout() == null) {
                why = why != null ? why : describe(i, "unknown base type (low byte 0x"
                    + Integer.toHexString(f.typeId() & 0xff) + ")");
                continue;
            }
            if (type.isStructure()) {
                why = why != null ? why : describe(i, "IPDR 3.5 structure");
                continue;
            }
            byte op = opFor(type, options);
            if (type.isArray()) {
                if (!options.structures()) {
                    why = why != null ? why : describe(i, "IPDR 3.5 array without the STRUCTURES capability");
                    continue;
                }
                elementOps[i] = op;
                op = OP_ARRAY;
            }
            ops[i] = op;
            min += minimumSize(op);
        }
        this.unsupported = why;
        this.minimumSize = min;
        this.minRest = new int[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            minRest[i] = minRest[i + 1] + minimumSize(ops[i]); // unsupported fields count 4 (op 0); never walked
        }
    }

    /** Compiles a decoder for the enabled fields of {@code template}; never fails for any template content. */
    public static RecordDecoder compile(TemplateBlock template, DecoderOptions options) {
        return new RecordDecoder(Objects.requireNonNull(template, "template"), Objects.requireNonNull(options,
            "options"));
    }

    private static byte opFor(FieldType type, DecoderOptions options) {
        if (options.ipv6Raw() && (type.typeId() & ~(FieldType.ARRAY_FLAG)) == FieldType.IPV6_ADDR) {
            return OP_RAW16;
        }
        return switch (type.layout()) {
            case INT -> OP_I32;
            case UNSIGNED_INT -> OP_U32;
            case LONG, UNSIGNED_LONG -> OP_I64;
            case FLOAT -> OP_F32;
            case DOUBLE -> OP_F64;
            case HEX_BINARY, STRING -> OP_VAR;
            case BOOLEAN -> OP_BOOL;
            case BYTE -> OP_I8;
            case UNSIGNED_BYTE -> OP_U8;
            case SHORT -> OP_I16;
            case UNSIGNED_SHORT -> OP_U16;
        };
    }

    private static int minimumSize(byte op) {
        return switch (op) {
            case OP_I32, OP_U32, OP_F32, OP_VAR, OP_ARRAY -> 4;
            case OP_I64, OP_F64 -> 8;
            case OP_BOOL, OP_I8, OP_U8 -> 1;
            case OP_I16, OP_U16 -> 2;
            case OP_RAW16 -> 16;
            default -> throw new IllegalStateException("opcode " + op);
        };
    }

    private String describe(int i, String what) {
        FieldDescriptor f = fields.get(i);
        return "field " + f.fieldName() + " (id " + f.fieldId() + ", type 0x" + Integer.toHexString(f.typeId())
            + "): " + what;
    }

    public TemplateBlock template() {
        return template;
    }

    public DecoderOptions options() {
        return options;
    }

    /** The enabled fields in wire order; a visitor's {@code field} argument indexes this list. */
    public List<FieldDescriptor> fields() {
        return fields;
    }

    /** The type of enabled field {@code field}. */
    public FieldType fieldType(int field) {
        return types[field];
    }

    /** Position of enabled field {@code field} in {@link TemplateBlock#fields()} (which includes disabled ones). */
    public int templateIndex(int field) {
        return templateIndex[field];
    }

    /** False when every record fails with {@link Reason#UNSUPPORTED_TYPE}; see {@link #unsupportedReason()}. */
    public boolean isDecodable() {
        return unsupported == null;
    }

    /** Why records of this template cannot be decoded, or null. */
    public String unsupportedReason() {
        return unsupported;
    }

    /** Smallest possible record size (all variable fields empty). */
    public int minimumSize() {
        return minimumSize;
    }

    /** Decodes the readable bytes of {@code record} (its indices are not changed). */
    public void decode(ByteBuf record, RecordVisitor visitor) throws IpdrDecodeException {
        decode(record, record.readerIndex(), record.readableBytes(), visitor);
    }

    /**
     * Decodes the record at absolute {@code offset .. offset+length} of {@code buf}, e.g. straight out of a DATA
     * frame without slicing it.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code buf}'s written bytes (a caller bug)
     */
    public void decode(ByteBuf buf, int offset, int length, RecordVisitor visitor) throws IpdrDecodeException {
        checkRange(buf, offset, length);
        if (unsupported != null) {
            throw new IpdrDecodeException(Reason.UNSUPPORTED_TYPE, unsupported);
        }
        if (length < minimumSize) {
            throw new IpdrDecodeException(Reason.TRUNCATED, "record of " + length + " bytes, template needs at least "
                + minimumSize);
        }
        // Invariant on entry to field i: end - p >= minRest[i] (true for i = 0 by the check above). Fixed-size
        // fields therefore read without checks; length prefixes are checked against the room still needed.
        final byte[] ops = this.ops;
        final int[] minRest = this.minRest;
        final int end = offset + length;
        int p = offset;
        for (int i = 0; i < ops.length; i++) {
            switch (ops[i]) {
                case OP_I32 -> {
                    visitor.onInt(i, buf.getInt(p));
                    p += 4;
                }
                case OP_U32 -> {
                    visitor.onLong(i, buf.getUnsignedInt(p));
                    p += 4;
                }
                case OP_I64 -> {
                    visitor.onLong(i, buf.getLong(p));
                    p += 8;
                }
                case OP_VAR -> {
                    int n = buf.getInt(p);
                    p += 4;
                    int room = end - p - minRest[i + 1];
                    if (n < 0 || n > room || n > maxVar) {
                        throw badLength(n, end - p, i);
                    }
                    visitor.onBytes(i, buf, p, n);
                    p += n;
                }
                case OP_F32 -> {
                    visitor.onFloat(i, buf.getFloat(p));
                    p += 4;
                }
                case OP_F64 -> {
                    visitor.onDouble(i, buf.getDouble(p));
                    p += 8;
                }
                case OP_BOOL -> {
                    visitor.onBoolean(i, bool(buf.getByte(p), i));
                    p += 1;
                }
                case OP_I8 -> {
                    visitor.onInt(i, buf.getByte(p));
                    p += 1;
                }
                case OP_U8 -> {
                    visitor.onInt(i, buf.getUnsignedByte(p));
                    p += 1;
                }
                case OP_I16 -> {
                    visitor.onInt(i, buf.getShort(p));
                    p += 2;
                }
                case OP_U16 -> {
                    visitor.onInt(i, buf.getUnsignedShort(p));
                    p += 2;
                }
                case OP_RAW16 -> {
                    visitor.onBytes(i, buf, p, 16);
                    p += 16;
                }
                case OP_ARRAY -> p = decodeArray(buf, p, end - minRest[i + 1], i, visitor);
                default -> throw new IllegalStateException("opcode " + ops[i]);
            }
        }
        if (p != end) {
            throw new IpdrDecodeException(Reason.TRAILING_BYTES, (end - p) + " bytes after the last field of a "
                + length + "-byte record");
        }
    }

    /** Cold path: arrays only exist with STRUCTURES, which DOCSIS exporters are not known to use. */
    private int decodeArray(ByteBuf buf, int p, int end, int i, RecordVisitor visitor) throws IpdrDecodeException {
        need(p, 4, end, i);
        int count = buf.getInt(p);
        p += 4;
        byte op = elementOps[i];
        int elementMin = minimumSize(op);
        if (count < 0 || count > maxVar || (long) count * elementMin > end - p) {
            throw new IpdrDecodeException(count < 0 || count > maxVar ? Reason.LENGTH_TOO_LARGE : Reason.TRUNCATED,
                describe(i, "array count " + Integer.toUnsignedString(count) + " with " + (end - p)
                    + " bytes left"));
        }
        visitor.onArrayStart(i, count);
        for (int k = 0; k < count; k++) {
            switch (op) {
                case OP_I32 -> visitor.onInt(i, buf.getInt(need(p, 4, end, i)));
                case OP_U32 -> visitor.onLong(i, buf.getUnsignedInt(need(p, 4, end, i)));
                case OP_I64 -> visitor.onLong(i, buf.getLong(need(p, 8, end, i)));
                case OP_F32 -> visitor.onFloat(i, buf.getFloat(need(p, 4, end, i)));
                case OP_F64 -> visitor.onDouble(i, buf.getDouble(need(p, 8, end, i)));
                case OP_BOOL -> visitor.onBoolean(i, bool(buf.getByte(need(p, 1, end, i)), i));
                case OP_I8 -> visitor.onInt(i, buf.getByte(need(p, 1, end, i)));
                case OP_U8 -> visitor.onInt(i, buf.getUnsignedByte(need(p, 1, end, i)));
                case OP_I16 -> visitor.onInt(i, buf.getShort(need(p, 2, end, i)));
                case OP_U16 -> visitor.onInt(i, buf.getUnsignedShort(need(p, 2, end, i)));
                case OP_RAW16 -> visitor.onBytes(i, buf, need(p, 16, end, i), 16);
                case OP_VAR -> {
                    int n = buf.getInt(need(p, 4, end, i));
                    p += 4;
                    checkLength(n, end - p, i);
                    visitor.onBytes(i, buf, p, n);
                    p += n - elementMin; // the common advance below adds elementMin (4) back
                }
                default -> throw new IllegalStateException("opcode " + op);
            }
            p += elementMin;
        }
        return p;
    }

    /**
     * Checks structure only (sizes, lengths, boolean values), exactly as {@link #decode} would, without
     * delivering values.
     */
    public void validate(ByteBuf record) throws IpdrDecodeException {
        validate(record, record.readerIndex(), record.readableBytes());
    }

    /** {@link #validate(ByteBuf)} for an absolute range of {@code buf}. */
    public void validate(ByteBuf buf, int offset, int length) throws IpdrDecodeException {
        checkRange(buf, offset, length);
        if (unsupported != null) {
            throw new IpdrDecodeException(Reason.UNSUPPORTED_TYPE, unsupported);
        }
        if (length < minimumSize) {
            throw new IpdrDecodeException(Reason.TRUNCATED, "record of " + length + " bytes, template needs at least "
                + minimumSize);
        }
        // Same walk and same order of checks as decode, so both fail alike on every input.
        final byte[] ops = this.ops;
        final int[] minRest = this.minRest;
        final int end = offset + length;
        int p = offset;
        for (int i = 0; i < ops.length; i++) {
            byte op = ops[i];
            switch (op) {
                case OP_VAR -> {
                    int n = buf.getInt(p);
                    p += 4;
                    if (n < 0 || n > end - p - minRest[i + 1] || n > maxVar) {
                        throw badLength(n, end - p, i);
                    }
                    p += n;
                }
                case OP_BOOL -> {
                    bool(buf.getByte(p), i);
                    p += 1;
                }
                case OP_ARRAY -> p = decodeArray(buf, p, end - minRest[i + 1], i, NO_OP);
                default -> p += minimumSize(op);
            }
        }
        if (p != end) {
            throw new IpdrDecodeException(Reason.TRAILING_BYTES, (end - p) + " bytes after the last field of a "
                + length + "-byte record");
        }
    }

    private static final RecordVisitor NO_OP = new RecordVisitor() {
    };

    /** Decodes into {@link FieldValue}s, for tools and tests (allocates; not for the collector's hot path). */
    public List<FieldValue> decodeValues(ByteBuf record) throws IpdrDecodeException {
        FieldValueCollector collector = new FieldValueCollector(this);
        decode(record, collector);
        return List.copyOf(collector.values);
    }

    /** What a tool shows for one record: its values, or its raw bytes and why they could not be decoded. */
    public sealed interface Result permits Decoded, Raw {
    }

    public record Decoded(List<FieldValue> values) implements Result {
        public Decoded {
            values = List.copyOf(values);
        }
    }

    /** An undecodable record kept whole: lower-case hex of its bytes, the reason and a human-readable detail. */
    public record Raw(String hex, Reason reason, String detail) implements Result {
        public Raw {
            Objects.requireNonNull(hex, "hex");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Never throws for any record bytes: a failure becomes {@link Raw}. */
    public Result decodeOrRaw(ByteBuf record) {
        try {
            return new Decoded(decodeValues(record));
        } catch (IpdrDecodeException e) {
            return new Raw(ByteBufUtil.hexDump(record), e.reason(), e.getMessage());
        }
    }

    // ---- checks; kept tiny so that the JIT inlines them into the loop ----

    private int need(int p, int size, int end, int i) throws IpdrDecodeException {
        if (end - p < size) {
            throw truncated(p, size, end, i);
        }
        return p;
    }

    private IpdrDecodeException truncated(int p, int size, int end, int i) {
        return new IpdrDecodeException(Reason.TRUNCATED, describe(i, "needs " + size + " bytes, " + (end - p)
            + " left"));
    }

    private void checkLength(int n, int left, int i) throws IpdrDecodeException {
        // Unsigned view: 0x80000000.. are hostile, never "negative lengths".
        if (n < 0 || n > left || n > maxVar) {
            throw badLength(n, left, i);
        }
    }

    private IpdrDecodeException badLength(int n, int left, int i) {
        boolean tooLarge = n < 0 || n > maxVar;
        return new IpdrDecodeException(tooLarge ? Reason.LENGTH_TOO_LARGE : Reason.TRUNCATED,
            describe(i, "length " + Integer.toUnsignedString(n) + " with " + left + " bytes left (max "
                + maxVar + ")"));
    }

    private boolean bool(byte b, int i) throws IpdrDecodeException {
        if ((b & 0xfe) != 0) {
            throw new IpdrDecodeException(Reason.BAD_VALUE, describe(i, "boolean byte 0x"
                + Integer.toHexString(b & 0xff)));
        }
        return b != 0;
    }

    private static void checkRange(ByteBuf buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buf.writerIndex() - length) {
            throw new IndexOutOfBoundsException("record range " + offset + "+" + length + " outside written bytes "
                + buf.writerIndex());
        }
    }
}
