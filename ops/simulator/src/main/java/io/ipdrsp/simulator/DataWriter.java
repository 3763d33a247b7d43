package io.ipdrsp.simulator;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.zip.CRC32C;

/**
 * Writes a document's DATA to the active collector: never more than the send window unacknowledged, the 25-byte
 * DATA header written in place, records batched into 64 KiB buffers with one flush per call, the D flag on
 * re-sends, and the ledger told what went out. Event-loop confined.
 */
final class DataWriter {
    private static final int BATCH_BYTES = 64 * 1024;

    private final SessionSpec spec;
    private final boolean lastResentWithoutD;
    private final CRC32C crc = new CRC32C();

    DataWriter(SessionSpec spec, Quirks quirks) {
        this.spec = spec;
        this.lastResentWithoutD = quirks.noDuplicateFlagOnLastResent();
    }

    /**
     * Sends what the window allows of {@code d} below {@code limit} on {@code link}. Returns true when something
     * was written (the link's last write time is updated).
     */
    boolean send(ExportDocument d, CollectorLink link, long limit, long now) {
        Channel ch = link.channel;
        if (ch == null || !ch.isWritable()) {
            return false;
        }
        int window = spec.sendWindow();
        ByteBuf batch = null;
        long runStart = -1;
        long wasUnacked = d.nextSend - d.held;
        int templateId = d.config.block().templateId();
        while (d.nextSend < limit && d.nextSend - d.held < window) {
            long dsn = d.nextSend;
            long holeEnd = d.holes.isEmpty() ? -1 : d.holes.endOfRangeContaining(dsn);
            if (holeEnd >= 0) {
                if (runStart >= 0) {
                    logRun(d, link, runStart, dsn - 1, now);
                    runStart = -1;
                }
                if (d.held == dsn) {
                    d.held = holeEnd + 1; // nothing before the gap is waiting for an ack
                }
                d.nextSend = holeEnd + 1;
                continue;
            }
            if (batch == null) {
                batch = ch.alloc().directBuffer(BATCH_BYTES + 2048);
            }
            writeData(batch, d, templateId, dsn);
            if (runStart < 0) {
                runStart = dsn;
            }
            d.nextSend = dsn + 1;
            d.maxSent = Math.max(d.maxSent, d.nextSend);
            if (batch.writerIndex() >= BATCH_BYTES) {
                ch.write(batch, ch.voidPromise());
                batch = null;
                if (!ch.isWritable()) {
                    break;
                }
            }
        }
        if (runStart >= 0) {
            logRun(d, link, runStart, d.nextSend - 1, now);
        }
        if (batch != null) {
            ch.write(batch, ch.voidPromise());
        }
        if (d.nextSend - d.held > wasUnacked || batch != null) {
            link.lastWrite = now;
            ch.flush();
            return true;
        }
        return false;
    }

    /** One DATA message, header in place; the record's bytes are a pure function of document and DSN. */
    private void writeData(ByteBuf batch, ExportDocument d, int templateId, long dsn) {
        int flags = dsn < d.resentUpTo && !(lastResentWithoutD && dsn == d.resentUpTo - 1) ? 1 : 0;
        int start = batch.writerIndex();
        batch.writeByte(2).writeByte(0x20).writeByte(spec.sessionId()).writeByte(0).writeInt(0);
        batch.writeShort(templateId).writeShort(d.config.configId).writeByte(flags).writeLong(dsn);
        int lenAt = batch.writerIndex();
        batch.writeInt(0);
        int recLen;
        if (d.config.pool != null) {
            byte[] rec = d.config.pool[(int) (dsn & (d.config.pool.length - 1))];
            batch.writeBytes(rec);
            recLen = rec.length;
        } else {
            // Time values derive from the DSN, not the clock: a re-send must repeat the bytes exactly.
            long t = d.createdMillis + (spec.rate() > 0 ? (long) (dsn * 1000 / spec.rate()) : 0);
            recLen = d.config.factory.write(batch, d.index, dsn, t);
        }
        batch.setInt(lenAt, recLen);
        if (d.entry.keepsDigests()) {
            crc.reset();
            crc.update(batch.nioBuffer(lenAt + 4, recLen));
            d.entry.digest(dsn, (int) crc.getValue());
        }
        batch.setInt(start + 4, batch.writerIndex() - start);
    }

    private void logRun(ExportDocument d, CollectorLink link, long from, long to, long now) {
        d.sendTimes.sent(from, to, now);
        d.entry.sent(link.spec.name(), from, to);
        if (from < d.resentUpTo) {
            long resentTo = Math.min(to, d.resentUpTo - 1);
            if (lastResentWithoutD && resentTo == d.resentUpTo - 1) {
                d.entry.resent(from, resentTo - 1, true);
                d.entry.resent(resentTo, resentTo, false);
            } else {
                d.entry.resent(from, resentTo, true);
            }
        }
    }
}
