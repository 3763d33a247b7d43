package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TCP streams of the IPDR.org reference exporter captures (/work/shared/captures, README there), cut with
 * {@link Framing} from uneven chunks and decoded. The expected facts come from the captures' README and tshark
 * decodes, not from this codec.
 */
class ReferenceExporterCaptureTest {

    /** "capture/stream sender" → messages in order, with their frames' bytes. */
    private static final Map<String, List<IpdrMessage>> MESSAGES = new LinkedHashMap<>();
    private static final Map<String, List<byte[]>> FRAMES = new LinkedHashMap<>();

    @BeforeAll
    static void readStreams() throws IOException, IpdrDecodeException {
        try (InputStream in = ReferenceExporterCaptureTest.class.getResourceAsStream("refexporter-streams.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                String key = parts[0] + " " + parts[1];
                byte[] stream = WireHex.bytes(parts[2]);
                List<IpdrMessage> messages = new ArrayList<>();
                List<byte[]> frames = new ArrayList<>();
                ByteBuf cumulation = Unpooled.buffer();
                // Feed the stream in uneven chunks (1..37 bytes) like TCP reads would arrive.
                for (int pos = 0, chunk = 1; pos < stream.length; pos += chunk, chunk = chunk % 37 + 1) {
                    cumulation.writeBytes(stream, pos, Math.min(chunk, stream.length - pos));
                    ByteBuf frame;
                    while ((frame = Framing.readFrame(cumulation, Framing.DEFAULT_MAX_MESSAGE_LENGTH)) != null) {
                        frames.add(ByteBufUtil.getBytes(frame));
                        messages.add(MessageCodec.decode(frame));
                    }
                    // Like Netty's ByteToMessageDecoder: compact only when no frame slice still shares the memory.
                    if (cumulation.refCnt() == 1) {
                        cumulation.discardReadBytes();
                    }
                }
                assertThat(cumulation.readableBytes()).as("%s ends on a message boundary", key).isZero();
                MESSAGES.put(key, messages);
                FRAMES.put(key, frames);
            }
        }
        assertThat(MESSAGES).hasSize(8);
    }

    private static List<IpdrMessage> from(String key) {
        return MESSAGES.get(key);
    }

    private static <T> List<T> ofType(String key, Class<T> type) {
        return from(key).stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void everyCapturedMessageReEncodesByteForByte() {
        int n = 0;
        for (var e : MESSAGES.entrySet()) {
            List<byte[]> frames = FRAMES.get(e.getKey());
            for (int i = 0; i < frames.size(); i++) {
                assertThat(MessageCodec.toBytes(e.getValue().get(i))).as("%s #%d", e.getKey(), i)
                        .isEqualTo(frames.get(i));
                n++;
            }
        }
        // tshark's IPDR/SP dissector lists 24 + 37 + 14 messages in the three captures' .tshark.txt files
        assertThat(n).isEqualTo(75);
    }

    @Test
    void basicConversationHasTheDocumentedSequence() {
        assertThat(from("basic/0 127.0.0.1:33794").stream().map(IpdrMessage::type).distinct()).containsExactly(
                MessageType.CONNECT, MessageType.GET_SESSIONS, MessageType.FLOW_START,
                MessageType.FINAL_TEMPLATE_DATA_ACK, MessageType.DATA_ACK, MessageType.KEEP_ALIVE,
                MessageType.DISCONNECT);
        assertThat(from("basic/0 127.0.0.1:4737").stream().map(IpdrMessage::type).distinct()).containsExactly(
                MessageType.CONNECT_RESPONSE, MessageType.GET_SESSIONS_RESPONSE, MessageType.TEMPLATE_DATA,
                MessageType.SESSION_START, MessageType.DATA, MessageType.KEEP_ALIVE);
        assertThat(ofType("basic/0 127.0.0.1:4737", Data.class)).extracting(Data::sequenceNum)
                .containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void exporterAppendsOneByteToConnectResponse() {
        ConnectResponse r = ofType("basic/0 127.0.0.1:4737", ConnectResponse.class).get(0);
        assertThat(r.extras().trailer().length()).isEqualTo(1);
        assertThat(r.vendorId()).startsWith("Amdocs");
    }

    @Test
    void exporterInitiatedConnectOffersCapabilities6AndCarriesATrailingByte() {
        Connect c = ofType("exporter_initiated/0 127.0.0.1:42727", Connect.class).get(0);
        assertThat(c.capabilities()).isEqualTo(Capabilities.MULTISESSION | Capabilities.TEMPLATE_NEGOTIATION);
        assertThat(c.extras().trailer().length()).isEqualTo(1);
        assertThat(ofType("exporter_initiated/0 127.0.0.1:14737", ConnectResponse.class)).hasSize(1);
        SessionStart s = ofType("exporter_initiated/0 127.0.0.1:42727", SessionStart.class).get(0);
        assertThat(s.firstRecordSequenceNumber()).isEqualTo(2);
        assertThat(ofType("exporter_initiated/0 127.0.0.1:42727", Data.class)).extracting(Data::sequenceNum)
                .startsWith(0L, 1L);
    }

    @Test
    void templateCoversTwentyThreeFieldsAndSessionBlockQuirks() {
        TemplateData t = ofType("basic/0 127.0.0.1:4737", TemplateData.class).get(0);
        assertThat(t.templates()).hasSize(1);
        assertThat(t.templates().get(0).fields()).hasSize(23);
        SessionBlock b = ofType("basic/0 127.0.0.1:4737", GetSessionsResponse.class).get(0).sessionBlocks().get(0);
        assertThat(b.reserved()).isEqualTo(0xA1);
        assertThat(b.ackTimeInterval()).isEqualTo(1000);
        SessionStart s = ofType("basic/0 127.0.0.1:4737", SessionStart.class).get(0);
        assertThat(s.ackTimeInterval()).isEqualTo(1);
        assertThat(s.primary()).isTrue();
        assertThat(s.documentId()).isEqualTo(Bytes.of(new byte[16]));
        assertThat(s.droppedRecordCount()).isZero();
    }

    @Test
    void firstRecordStartsWithTheDocumentedValues() {
        Data d = ofType("basic/0 127.0.0.1:4737", Data.class).get(0);
        assertThat(d.templateId()).isEqualTo(1);
        // int 0, int 0, then the UTF8String "xdrBASE64"
        assertThat(WireHex.of(d.recordBytes())).startsWith("00000000" + "00000000" + "00000009"
                + WireHex.of("xdrBASE64".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void reconnectResendsWithDuplicateFlagExceptTheLastRecord() {
        String exporter = "reconnect_dupflag/1 127.0.0.1:4737";
        SessionStart s = ofType(exporter, SessionStart.class).get(0);
        assertThat(s.firstRecordSequenceNumber()).isEqualTo(4);
        List<Data> data = ofType(exporter, Data.class);
        assertThat(data.subList(0, 4)).extracting(Data::sequenceNum).containsExactly(0L, 1L, 2L, 3L);
        assertThat(data.subList(0, 4)).extracting(Data::isDuplicate).containsExactly(true, true, true, false);
    }

    @Test
    void sessionStopFromTheExporterCarriesATrailingByte() {
        List<SessionStop> stops = MESSAGES.values().stream().flatMap(List::stream)
                .filter(SessionStop.class::isInstance).map(SessionStop.class::cast).toList();
        // README: SESSION_STOP carries one extra byte; not every capture contains one.
        stops.forEach(s -> assertThat(s.extras().trailer().length()).isEqualTo(1));
    }
}
