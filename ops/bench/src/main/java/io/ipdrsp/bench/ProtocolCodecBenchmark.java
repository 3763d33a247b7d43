package io.ipdrsp.bench;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.RecordVisitor;
import io.ipdrsp.protocol.SamisType1;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The collector's per-message CPU cost on one core, over a stream of {@value #MESSAGES} SAMIS-TYPE-1 DATA messages
 * (about 300 bytes each). Every score is messages (= records) per second: each invocation walks the whole stream
 * and {@link OperationsPerInvocation} divides by the message count.
 *
 * <ul>
 *   <li>{@code framing}: {@link Framing#readFrame} cuts each message and the header/DATA fields the session needs
 *       (id, session, templateId, configId, flags, DSN, record length) are read in place;</li>
 *   <li>{@code decode}: the compiled {@link RecordDecoder} walks every record into a visitor that copies each
 *       value into a reusable row, as a storage writer would (no allocation);</li>
 *   <li>{@code frameAndDecode}: both, i.e. the transport-to-row path;</li>
 *   <li>{@code validate}: the structure-only check.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProtocolCodecBenchmark {
    static final int MESSAGES = 4096;

    /** heap = unpooled heap buffer; direct = pooled direct buffer, what Netty's transport delivers. */
    @Param({"direct", "heap"})
    public String buffer;

    private DataStream stream;
    private RecordDecoder decoder;
    private RowVisitor row;

    @Setup(Level.Trial)
    public void setUp() {
        stream = DataStream.samisType1(MESSAGES, "direct".equals(buffer), 20_240_601L);
        decoder = RecordDecoder.compile(SamisType1.TEMPLATE, DecoderOptions.DEFAULT);
        row = new RowVisitor(decoder.fields().size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stream.bytes.release();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long framing() throws IpdrDecodeException {
        ByteBuf in = stream.bytes.duplicate();
        long acc = 0;
        ByteBuf frame;
        while ((frame = Framing.readFrame(in)) != null) {
            acc += Framing.messageId(frame) + Framing.sessionId(frame);
            if (Framing.isData(frame)) {
                acc += Framing.dataRecordLength(frame) + Framing.dataTemplateId(frame) + Framing.dataConfigId(frame)
                    + Framing.dataFlags(frame) + Framing.dataSequenceNum(frame) + Framing.dataRecordIndex(frame);
            }
            frame.release();
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long decode() throws IpdrDecodeException {
        ByteBuf bytes = stream.bytes;
        int[] offset = stream.recordOffset;
        int[] length = stream.recordLength;
        RowVisitor v = row;
        long acc = 0;
        for (int i = 0; i < offset.length; i++) {
            decoder.decode(bytes, offset[i], length[i], v);
            acc += v.checksum();
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long frameAndDecode() throws IpdrDecodeException {
        ByteBuf in = stream.bytes.duplicate();
        RowVisitor v = row;
        long acc = 0;
        ByteBuf frame;
        while ((frame = Framing.readFrame(in)) != null) {
            int length = Framing.dataRecordLength(frame);
            acc += Framing.dataSequenceNum(frame);
            decoder.decode(frame, Framing.dataRecordIndex(frame), length, v);
            acc += v.checksum();
            frame.release();
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void validate(Blackhole bh) throws IpdrDecodeException {
        ByteBuf bytes = stream.bytes;
        int[] offset = stream.recordOffset;
        int[] length = stream.recordLength;
        for (int i = 0; i < offset.length; i++) {
            decoder.validate(bytes, offset[i], length[i]);
        }
        bh.consume(offset.length);
    }

    /**
     * Keeps the last record as primitives plus (offset, length) of its variable fields, the way a storage writer
     * would bind them; strings are not materialised.
     */
    static final class RowVisitor implements RecordVisitor {
        final long[] numbers;
        final int[] bytesOffset;
        final int[] bytesLength;

        RowVisitor(int fields) {
            numbers = new long[fields];
            bytesOffset = new int[fields];
            bytesLength = new int[fields];
        }

        @Override
        public void onInt(int field, int value) {
            numbers[field] = value;
        }

        @Override
        public void onLong(int field, long value) {
            numbers[field] = value;
        }

        @Override
        public void onFloat(int field, float value) {
            numbers[field] = Float.floatToRawIntBits(value);
        }

        @Override
        public void onDouble(int field, double value) {
            numbers[field] = Double.doubleToRawLongBits(value);
        }

        @Override
        public void onBoolean(int field, boolean value) {
            numbers[field] = value ? 1 : 0;
        }

        @Override
        public void onBytes(int field, ByteBuf buf, int offset, int length) {
            bytesOffset[field] = offset;
            bytesLength[field] = length;
        }

        long checksum() {
            return numbers[SamisType1.SERVICE_OCTETS_PASSED] + numbers[SamisType1.CM_MAC_ADDR]
                + bytesLength[SamisType1.CMTS_HOST_NAME];
        }
    }
}
