package io.ipdrsp.protocol.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrDecodeException.Reason;
import io.ipdrsp.protocol.SamisType1;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Truncated, mutated and hostile documents: the reader fails with IpdrDecodeException and nothing else. */
class IpdrXdrReaderHostileTest {
    /** A small valid document: header, two descriptors, five SAMIS records (two templates), DOCEND. */
    static byte[] sampleDocument() throws Exception {
        Random random = new Random(99);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (IpdrXdrWriter w = new IpdrXdrWriter(file)) {
            w.begin(IpdrXdrRoundTripTest.HEADER);
            for (int i = 0; i < 5; i++) {
                var t = i % 2 == 0 ? SamisType1.TEMPLATE : IpdrXdrRoundTripTest.PARTIAL;
                w.record(0, t, Unpooled.wrappedBuffer(IpdrXdrRoundTripTest.samis(t, random, i)));
            }
            w.end(7);
        }
        return file.toByteArray();
    }

    /** Reads everything; returns null on success, the exception's reason on a decode error; fails on anything else. */
    static Reason outcome(byte[] doc, XdrReaderOptions options) {
        try {
            IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(doc), options);
            r.header();
            while (r.next() != null) {
                // drain
            }
            return null;
        } catch (IpdrDecodeException e) {
            return e.reason();
        } catch (Throwable t) {
            fail("not an IpdrDecodeException for input " + ByteBufUtil.hexDump(doc), t);
            return null;
        }
    }

    @Test
    void everyProperPrefixIsTruncated() throws Exception {
        byte[] doc = sampleDocument();
        assertThat(outcome(doc, XdrReaderOptions.DEFAULT)).isNull();
        for (int len = 0; len < doc.length; len++) {
            assertThat(outcome(Arrays.copyOf(doc, len), XdrReaderOptions.DEFAULT)).as("prefix of %d bytes", len)
                .isEqualTo(Reason.TRUNCATED);
        }
    }

    @Test
    void randomMutationsFailOnlyWithIpdrDecodeException() throws Exception {
        byte[] doc = sampleDocument();
        byte[] amdocs = IpdrXdrRealFilesTest.resource(IpdrXdrRealFilesTest.AMDOCS_XDR);
        byte[] bjt = IpdrXdrRealFilesTest.resource(IpdrXdrRealFilesTest.BJT123_XDR);
        Random random = new Random(2024);
        Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
        int ok = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] base = switch (i % 3) {
                case 0 -> doc;
                case 1 -> amdocs;
                default -> bjt;
            };
            XdrReaderOptions options = switch (i % 3) {
                case 0 -> XdrReaderOptions.DEFAULT;
                case 1 -> XdrReaderOptions.DEFAULT.withWideSmallUnsigned(true);
                default -> XdrReaderOptions.DEFAULT.bjt123();
            };
            byte[] m = base.clone();
            int edits = 1 + random.nextInt(4);
            for (int k = 0; k < edits; k++) {
                int at = random.nextInt(m.length);
                switch (random.nextInt(3)) {
                    case 0 -> m[at] = (byte) random.nextInt(256);
                    case 1 -> m[at] = (byte) 0xff; // lengths become huge or negative
                    default -> m[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            Reason r = outcome(m, options);
            if (r == null) {
                ok++;
            } else {
                reasons.merge(r, 1, Integer::sum);
            }
        }
        System.out.println("XDR reader fuzz: " + ok + " read, failures by reason " + reasons);
        assertThat(reasons).isNotEmpty();
    }

    @Test
    void hostileLengthsAreRejectedBeforeAnythingIsSizedByThem() {
        ByteBuf doc = IpdrXdrRoundTripTest.minimalHeader();
        doc.writeInt(1).writeInt(1);
        IpdrXdrRoundTripTest.str(doc, "T");
        doc.writeInt(1);
        IpdrXdrRoundTripTest.str(doc, "blob");
        doc.writeInt(0x27);
        doc.writeInt(2).writeInt(1).writeInt(-1).writeInt(0x7ffffff0); // a 2 GiB hexBinary, 0 bytes follow
        assertThat(outcome(ByteBufUtil.getBytes(doc), XdrReaderOptions.DEFAULT)).isEqualTo(Reason.LENGTH_TOO_LARGE);

        ByteBuf manyAttributes = IpdrXdrRoundTripTest.minimalHeader().writeInt(1).writeInt(1);
        IpdrXdrRoundTripTest.str(manyAttributes, "T");
        manyAttributes.writeInt(100_000_000);
        assertThat(outcome(ByteBufUtil.getBytes(manyAttributes), XdrReaderOptions.DEFAULT))
            .isEqualTo(Reason.LENGTH_TOO_LARGE);

        // Within every per-field bound but beyond the per-record bound.
        ByteBuf big = IpdrXdrRoundTripTest.minimalHeader().writeInt(1).writeInt(1);
        IpdrXdrRoundTripTest.str(big, "T");
        big.writeInt(3);
        for (String name : new String[] {"a", "b", "c"}) {
            IpdrXdrRoundTripTest.str(big, name);
            big.writeInt(0x27);
        }
        big.writeInt(2).writeInt(1).writeInt(-1);
        for (int i = 0; i < 3; i++) {
            big.writeInt(600).writeZero(600);
        }
        big.writeInt(3).writeInt(1).writeLong(0);
        byte[] bytes = ByteBufUtil.getBytes(big);
        assertThat(outcome(bytes, XdrReaderOptions.DEFAULT)).isNull();
        assertThat(outcome(bytes, XdrReaderOptions.DEFAULT.withMaxRecordBytes(1500)))
            .isEqualTo(Reason.LENGTH_TOO_LARGE);
    }

    @Test
    void aHostileBooleanIsABadValue() throws Exception {
        ByteBuf doc = IpdrXdrRoundTripTest.minimalHeader().writeInt(1).writeInt(1);
        IpdrXdrRoundTripTest.str(doc, "T");
        doc.writeInt(1);
        IpdrXdrRoundTripTest.str(doc, "flag");
        doc.writeInt(0x29);
        doc.writeInt(2).writeInt(1).writeInt(-1).writeByte(7);
        doc.writeInt(3).writeInt(1).writeLong(0);
        IpdrXdrReader r = new IpdrXdrReader(new ByteArrayInputStream(ByteBufUtil.getBytes(doc)));
        r.next();
        assertThatThrownBy(r::next).isInstanceOfSatisfying(IpdrDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_VALUE));
    }
}
