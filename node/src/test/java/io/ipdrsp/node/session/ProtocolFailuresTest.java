package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.ErrorMessage;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Repeated protocol failures of one CMTS back off (issue 14 item 7): a CMTS that sends ipV6Addr raw while the node
 * expects it length-prefixed was answered with ERROR and reconnected 119 times in 20 s, re-sending its window each time.
 */
class ProtocolFailuresTest {
    private static final long MS = 1_000_000L;
    @RegisterExtension
    final SessionFixture f = new SessionFixture();

    @Test
    void theBackOffStartsAtTheThirdFailureDoublesIsCappedAndEndsWithAHealthySession() {
        AtomicLong clock = new AtomicLong();
        ProtocolFailures p = new ProtocolFailures("cmts", clock::get);
        p.failed(false, "state", "hint");
        p.failed(false, "state", "hint");
        assertThat(p.remainingMillis()).as("two failures: no back-off yet").isZero();
        p.failed(false, "state", "hint");
        assertThat(p.remainingMillis()).isEqualTo(1000);
        clock.addAndGet(400 * MS);
        assertThat(p.remainingMillis()).isEqualTo(600);
        p.failed(false, "state", "hint");
        assertThat(p.remainingMillis()).isEqualTo(2000);
        for (int i = 0; i < 20; i++) {
            p.failed(false, "state", "hint");
        }
        assertThat(p.remainingMillis()).as("capped").isEqualTo(ProtocolFailures.MAX_MILLIS);
        assertThat(p.alarm()).as("no alarm for state errors").isNull();
        p.healthy();
        assertThat(p.remainingMillis()).isZero();
        assertThat(p.consecutive()).isZero();
    }

    @Test
    void decodeFailuresRaiseOneAlarmNamingTheSwitch() {
        ProtocolFailures p = new ProtocolFailures("cmts", new AtomicLong()::get);
        for (int i = 0; i < 5; i++) {
            p.failed(true, "length 537004984 beyond the record", "exporters[].ipv6Raw (now false)");
        }
        assertThat(p.alarm()).startsWith("ALARM: 3 connections in a row ended in decode errors")
                .contains("exporters[].ipv6Raw (now false)");
    }

    /** CONNECT .. SESSION_START, then a record with ipV6Addr sent raw (16 bytes, no length). */
    private ErrorMessage sendRawIpv6(ExporterState cmts) throws Exception {
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.handshake(1);
        c.open(1, UUID.randomUUID(), true, 10, 60);
        byte[] raw = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        c.send(Data.of(1, SessionFixture.V6_TEMPLATE.templateId(), 1, 0, 0, raw));
        ErrorMessage e = c.expect(ErrorMessage.class);
        assertThat(c.isOpen()).isFalse();
        return e;
    }

    @Test
    void aCmtsWhoseRecordsNeverDecodeIsRefusedAtConnectWhileTheBackOffRuns() throws Exception {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts-v6"), f.clock::get);
        for (int i = 0; i < 3; i++) {
            assertThat(sendRawIpv6(cmts).errorCode()).isEqualTo(3);
        }
        assertThat(cmts.view().lastError()).startsWith("ALARM: 3 connections in a row ended in decode errors")
                .contains("exporters[].ipv6Raw (now false)");

        SessionFixture.Cmts refused = f.connect(cmts, false);
        refused.send(new Connect(0x7f000003, 4000, 0x02, 5, "v"));
        ErrorMessage e = refused.expect(ErrorMessage.class);
        assertThat(e.errorCode()).isEqualTo(256);
        assertThat(e.description()).contains("3 connections in a row ended in protocol errors");
        assertThat(refused.isOpen()).isFalse();
        assertThat(f.sink.opened).as("no session was started for the refused connection").hasSize(3);
        assertThat(f.errorsSent(3)).isEqualTo(3);
        assertThat(f.errorsSent(256)).isEqualTo(1);

        f.clock.addAndGet(1000 * MS);
        SessionFixture.Cmts later = f.connect(cmts, false);
        later.send(new Connect(0x7f000003, 4000, 0x02, 5, "v"));
        later.expect(ConnectResponse.class);
    }

    @Test
    void aSessionAckedForTenSecondsEndsTheBackOff() throws Exception {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts-v6"), f.clock::get);
        for (int i = 0; i < 3; i++) {
            sendRawIpv6(cmts);
        }
        f.clock.addAndGet(1000 * MS);
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.handshake(1);
        c.open(1, UUID.randomUUID(), true, 1, 60);
        c.data(1, 0, "fine");
        f.sink.storeAll();
        c.drain();
        assertThat(cmts.failures().consecutive()).as("acked at once: not yet a healthy session").isEqualTo(3);
        f.advance(10_000, c);
        c.data(1, 1, "fine");
        f.sink.storeAll();
        c.drain();
        assertThat(cmts.failures().consecutive()).isZero();
        assertThat(cmts.failures().alarm()).isNull();
        assertThat(cmts.view().lastError()).doesNotContain("ALARM");
    }
}
