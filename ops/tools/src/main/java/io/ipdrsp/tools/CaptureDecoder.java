package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.GetTemplatesResponse;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.MessageType;
import io.ipdrsp.protocol.ModifyTemplateResponse;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the packets of a capture into one JSON object per IPDR/SP message: TCP reassembly per direction, framing,
 * message decoding, and DATA records decoded with the templates that conversation announced.
 */
final class CaptureDecoder {
    /** Out-of-order bytes held per direction before a hole is declared: a capture with loss must not eat memory. */
    static final long MAX_HELD_BYTES = 8L * 1024 * 1024;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final Set<Integer> ports;
    private final DecoderOptions options;
    private final Consumer<ObjectNode> out;
    private final boolean includeRaw;
    private final Map<List<Endpoint>, Conversation> conversations = new LinkedHashMap<>();
    private CapturedPacket last;
    private long messages;
    private long errors;
    private long tcpSegments;

    /** {@code includeRaw}: every message object also carries the message's bytes as {@code raw} hex. */
    CaptureDecoder(Set<Integer> ports, DecoderOptions options, boolean includeRaw, Consumer<ObjectNode> out) {
        this.ports = Set.copyOf(ports);
        this.options = options;
        this.includeRaw = includeRaw;
        this.out = out;
    }

    long messages() {
        return messages;
    }

    long errors() {
        return errors;
    }

    /** TCP segments on the selected ports. */
    long tcpSegments() {
        return tcpSegments;
    }

    void packet(CapturedPacket p) {
        last = p;
        TcpSegment s = PacketParser.parse(p);
        if (s == null || !(ports.contains(s.src().port()) || ports.contains(s.dst().port()))) {
            return;
        }
        tcpSegments++;
        List<Endpoint> key = s.src().compareTo(s.dst()) <= 0 ? List.of(s.src(), s.dst()) : List.of(s.dst(), s.src());
        Conversation c = conversations.get(key);
        if (c != null && c.isNewConnection(s)) {
            // same addresses and ports reused by a new connection: its templates start from nothing
            c.finish(p);
            conversations.remove(key);
            c = null;
        }
        if (c == null) {
            c = new Conversation();
            conversations.put(key, c);
        }
        c.direction(s).segment(s, p);
    }

    /** End of capture: reports holes and messages the capture cut off. */
    void finish() {
        for (Conversation c : conversations.values()) {
            c.finish(last);
        }
        conversations.clear();
    }

    private void emit(ObjectNode o) {
        if (o.has("error") || (o.get("record") instanceof ObjectNode r && r.has("error"))) {
            errors++;
        }
        out.accept(o);
    }

    private record TemplateKey(int sessionId, int configId, int templateId) {
    }

    /** One TCP connection: both directions and the templates announced on it. */
    private final class Conversation {
        private final Map<Endpoint, Direction> directions = new HashMap<>(4);
        private final Map<TemplateKey, RecordDecoder> templates = new HashMap<>();

        Direction direction(TcpSegment s) {
            return directions.computeIfAbsent(s.src(), src -> new Direction(this, src, s.dst()));
        }

        boolean isNewConnection(TcpSegment s) {
            if (!s.has(TcpSegment.SYN) || s.has(TcpSegment.ACK)) {
                return false;
            }
            Direction d = directions.get(s.src());
            return d != null && d.stream.started() && (d.synSeq < 0 || d.synSeq != s.seq());
        }

        void learn(int sessionId, int configId, List<TemplateBlock> blocks) {
            for (TemplateBlock t : blocks) {
                templates.put(new TemplateKey(sessionId, configId, t.templateId()), RecordDecoder.compile(t, options));
            }
        }

        RecordDecoder template(Data d) {
            return templates.get(new TemplateKey(d.sessionId(), d.configId(), d.templateId()));
        }

        void finish(CapturedPacket at) {
            for (Direction d : directions.values()) {
                d.finish(at);
            }
        }
    }

    /** One direction of a conversation: reassembled bytes, cut into messages. */
    private final class Direction implements TcpStream.Sink {
        private final Conversation conversation;
        private final Endpoint src;
        private final Endpoint dst;
        private final TcpStream stream = new TcpStream(this, MAX_HELD_BYTES);
        private final ByteBuf buffer = Unpooled.buffer();
        private long synSeq = -1;
        /** Framing lost: nothing more of this direction can be cut into messages. */
        private boolean dead;

        Direction(Conversation conversation, Endpoint src, Endpoint dst) {
            this.conversation = conversation;
            this.src = src;
            this.dst = dst;
        }

        void segment(TcpSegment s, CapturedPacket p) {
            if (s.has(TcpSegment.SYN) && synSeq < 0) {
                synSeq = s.seq();
            }
            stream.segment(s, p);
        }

        @Override
        public void bytes(byte[] data, int offset, int length, CapturedPacket packet) {
            if (dead) {
                return;
            }
            buffer.writeBytes(data, offset, length);
            while (!dead) {
                ByteBuf frame;
                try {
                    frame = Framing.readFrame(buffer, Framing.DEFAULT_MAX_MESSAGE_LENGTH);
                } catch (IpdrDecodeException e) {
                    ObjectNode o = header(packet);
                    o.put("error", "framing error, decoding of this direction stops: " + e.getMessage());
                    o.put("raw", ByteBufUtil.hexDump(buffer, buffer.readerIndex(),
                            Math.min(buffer.readableBytes(), 64)));
                    stop(o);
                    return;
                }
                if (frame == null) {
                    break;
                }
                try {
                    message(frame, packet);
                } finally {
                    frame.release();
                }
            }
            buffer.discardReadBytes();
        }

        @Override
        public void gap(long missing, CapturedPacket packet) {
            if (dead) {
                return;
            }
            ObjectNode o = header(packet);
            o.put("error", "the capture lost " + missing + " bytes of this direction; decoding of it stops");
            stop(o);
        }

        void finish(CapturedPacket at) {
            stream.finish(at);
            if (!dead && buffer.isReadable()) {
                ObjectNode o = header(at);
                o.put("error", "the capture ends inside a message (" + buffer.readableBytes() + " bytes buffered)");
                o.put("raw", ByteBufUtil.hexDump(buffer, buffer.readerIndex(), Math.min(buffer.readableBytes(), 64)));
                stop(o);
            }
            buffer.release();
            dead = true;
        }

        private void stop(ObjectNode error) {
            dead = true;
            buffer.clear();
            emit(error);
        }

        private ObjectNode header(CapturedPacket p) {
            ObjectNode o = JsonRender.JSON.objectNode();
            Instant t = p == null ? null : p.time();
            if (t == null) {
                o.putNull("time");
            } else {
                o.put("time", TIME.format(t));
            }
            o.put("frame", p == null ? 0 : p.number());
            o.put("src", src.toString());
            o.put("dst", dst.toString());
            return o;
        }

        private void message(ByteBuf frame, CapturedPacket packet) {
            messages++;
            ObjectNode o = header(packet);
            int id = Framing.messageId(frame);
            MessageType type = MessageType.forId(id);
            IpdrMessage m;
            try {
                m = MessageCodec.decode(frame);
            } catch (IpdrDecodeException e) {
                o.put("message", type == null ? "UNKNOWN" : type.name());
                o.put("messageId", id);
                o.put("sessionId", Framing.sessionId(frame));
                o.put("error", "decode error: " + e.getMessage());
                o.put("raw", ByteBufUtil.hexDump(frame));
                emit(o);
                return;
            }
            o.put("message", m.type() == null ? "UNKNOWN" : m.type().name());
            o.put("messageId", m.messageId());
            o.put("sessionId", m.sessionId());
            JsonRender.messageFields(m, o);
            if (m instanceof TemplateData t) {
                conversation.learn(t.sessionId(), t.configId(), t.templates());
            } else if (m instanceof GetTemplatesResponse t) {
                conversation.learn(t.sessionId(), t.configId(), t.templates());
            } else if (m instanceof ModifyTemplateResponse t) {
                conversation.learn(t.sessionId(), t.configId(), t.templates());
            } else if (m instanceof Data d) {
                o.set("record", record(d));
            }
            if (includeRaw) {
                o.put("raw", ByteBufUtil.hexDump(frame));
            }
            emit(o);
        }

        private ObjectNode record(Data d) {
            ObjectNode r = JsonRender.JSON.objectNode();
            r.put("length", d.record().readableBytes());
            RecordDecoder decoder = conversation.template(d);
            if (decoder == null) {
                r.put("error", "unknown template " + d.templateId() + " (configId " + d.configId()
                        + ", session " + d.sessionId() + ") in this conversation");
                r.put("raw", ByteBufUtil.hexDump(d.record()));
                return r;
            }
            TemplateBlock t = decoder.template();
            r.put("template", t.schemaName().isEmpty() || t.typeName().isEmpty() ? t.schemaName() + t.typeName()
                    : t.schemaName() + "/" + t.typeName());
            RecordDecoder.Result result = decoder.decodeOrRaw(d.record());
            if (result instanceof RecordDecoder.Decoded v) {
                var fields = r.putArray("fields");
                for (FieldValue f : v.values()) {
                    fields.add(JsonRender.field(f));
                }
            } else if (result instanceof RecordDecoder.Raw raw) {
                String hint = !options.ipv6Raw() && raw.detail().contains("type 0x427")
                        ? " (if the exporter sends ipV6Addr as 16 bytes without a length, use --ipv6-raw)" : "";
                r.put("error", "decode error (" + raw.reason() + "): " + raw.detail() + hint);
                r.put("raw", raw.hex());
            }
            return r;
        }
    }
}
