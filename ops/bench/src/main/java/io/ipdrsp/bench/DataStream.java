package io.ipdrsp.bench;

import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.SamisType1;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Random;

/**
 * A TCP byte stream as an exporter would send it: {@code count} SAMIS-TYPE-1 DATA messages back to back, encoded
 * once up front, plus where each record sits (so a decode benchmark measures the decoder, not the framing).
 */
final class DataStream {
    final ByteBuf bytes;
    final int count;
    final int[] recordOffset;
    final int[] recordLength;

    private DataStream(ByteBuf bytes, int count, int[] recordOffset, int[] recordLength) {
        this.bytes = bytes;
        this.count = count;
        this.recordOffset = recordOffset;
        this.recordLength = recordLength;
    }

    /**
     * @param direct a pooled direct buffer, as Netty hands the collector's transport; otherwise a heap buffer
     */
    static DataStream samisType1(int count, boolean direct, long seed) {
        ByteBuf heap = Unpooled.buffer(count * 320);
        Random random = new Random(seed);
        ByteBuf record = Unpooled.buffer(512);
        for (int i = 0; i < count; i++) {
            record.clear();
            SamisType1.sample(random, i % 16, i).encodeTo(record);
            MessageCodec.encode(new Data(1, SamisType1.TEMPLATE.templateId(), 1, 0, i, record), heap);
        }
        ByteBuf bytes = heap;
        if (direct) {
            bytes = PooledByteBufAllocator.DEFAULT.directBuffer(heap.readableBytes());
            bytes.writeBytes(heap);
        }
        int[] offsets = new int[count];
        int[] lengths = new int[count];
        int p = bytes.readerIndex();
        for (int i = 0; i < count; i++) {
            offsets[i] = p + Framing.DATA_RECORD_OFFSET;
            lengths[i] = bytes.getInt(p + Framing.DATA_RECORD_LENGTH_OFFSET);
            p += bytes.getInt(p + 4);
        }
        if (p != bytes.writerIndex()) {
            throw new IllegalStateException("stream does not end on a message boundary");
        }
        return new DataStream(bytes, count, offsets, lengths);
    }

    int averageMessageLength() {
        return bytes.readableBytes() / count;
    }
}
