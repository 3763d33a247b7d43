package io.ipdrsp.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.FleetConfig;
import io.ipdrsp.node.fleet.ExporterDirectory;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.SessionFixture;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.ConnectResponse;
import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.GetSessions;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CMTSes admitted by address range are who their CONNECT says: named from initiatorId (and vendorId), whatever
 * address and port their packets come from; a name is one CMTS at a time. Through the node's real pipeline on
 * embedded channels.
 */
class RangeAdmissionTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();
    private final ExporterDirectory directory = new ExporterDirectory(List.of("cmts-10.0.0.5"));
    private final Map<String, ExporterState> exporters = new ConcurrentHashMap<>();
    private final Map<ExporterState, Channel> current = new ConcurrentHashMap<>();
    private RangeAdmission admission = admission(new FleetConfig());

    private RangeAdmission admission(FleetConfig fleet) {
        // what NodeTransport.replace does: the newest connection of a CMTS replaces an older one
        return new RangeAdmission(fleet, directory, exporters, current, (st, ch) -> {
            Channel previous = current.put(st, ch);
            if (previous != null && previous != ch) {
                previous.close();
            }
        });
    }

    @AfterEach
    void close() {
        directory.close();
    }

    private SessionFixture.Cmts dial(String host, int port) throws Exception {
        return f.admitted(host, port, admission.standIn(host), admission);
    }

    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    /** CONNECT with this initiatorId and vendorId; returns the ERROR if the node refused, null if it answered. */
    private static ErrorMessage connect(SessionFixture.Cmts c, int initiatorId, String vendor) throws Exception {
        c.send(new Connect(initiatorId, 40_000, 0x02, 5, vendor));
        var m = c.read();
        if (m instanceof ErrorMessage e) {
            return e;
        }
        assertThat(m).isInstanceOf(ConnectResponse.class);
        c.expect(GetSessions.class);
        return null;
    }

    @Test
    void cmtsesBehindOneAddressStayApartByTheirConnect() throws Exception {
        SessionFixture.Cmts a = dial("10.1.0.1", 50_001);
        SessionFixture.Cmts b = dial("10.1.0.1", 50_002);
        assertThat(connect(a, ip(10, 9, 0, 1), "cisco")).isNull();
        assertThat(connect(b, ip(10, 9, 0, 2), "cisco")).isNull();

        assertThat(exporters).containsOnlyKeys("cmts-10.9.0.1", "cmts-10.9.0.2");
        assertThat(exporters.values()).allSatisfy(e -> assertThat(e.link()).isEqualTo(ExporterState.Link.CONNECTED));
        assertThat(exporters.get("cmts-10.9.0.1").view().address()).as("the CMTS's own address").isEqualTo("10.9.0.1");
        assertThat(a.isOpen()).isTrue();
        assertThat(b.isOpen()).isTrue();
        assertThat(directory.all()).as("led and audited like a listed CMTS")
                .containsExactly("cmts-10.0.0.5", "cmts-10.9.0.1", "cmts-10.9.0.2");
        assertThat(directory.configured()).as("not expected to stay connected").containsExactly("cmts-10.0.0.5");
    }

    @Test
    void theNameSurvivesANewSourcePortAndANewNatAddress() throws Exception {
        SessionFixture.Cmts first = dial("10.1.0.1", 50_001);
        assertThat(connect(first, ip(10, 9, 0, 7), "arris")).isNull();
        ExporterState cmts = exporters.get("cmts-10.9.0.7");

        SessionFixture.Cmts again = dial("10.1.0.1", 50_999);
        assertThat(connect(again, ip(10, 9, 0, 7), "arris")).as("the same CMTS reconnecting").isNull();
        assertThat(exporters.get("cmts-10.9.0.7")).isSameAs(cmts);
        assertThat(first.isOpen()).as("the older connection is replaced").isFalse();
        assertThat(again.isOpen()).isTrue();

        again.ch.close();
        SessionFixture.Cmts natted = dial("10.2.0.200", 61_000);
        assertThat(connect(natted, ip(10, 9, 0, 7), "arris")).as("from another address once the old one is gone")
                .isNull();
        assertThat(exporters.get("cmts-10.9.0.7")).isSameAs(cmts);
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.CONNECTED);
    }

    @Test
    void aSecondCmtsClaimingAConnectedNameIsRefusedAndTheFirstKeepsItsConnection() throws Exception {
        SessionFixture.Cmts first = dial("10.1.0.1", 50_001);
        assertThat(connect(first, ip(10, 9, 0, 3), "cisco")).isNull();

        SessionFixture.Cmts other = dial("10.1.0.2", 50_001);
        ErrorMessage refused = connect(other, ip(10, 9, 0, 3), "cisco");
        assertThat(refused).isNotNull();
        assertThat(refused.errorCode()).isEqualTo(256);
        assertThat(refused.description()).contains("'cmts-10.9.0.3' is connected now from 10.1.0.1")
                .contains("give each its own IPDR source address");
        assertThat(other.isOpen()).isFalse();

        SessionFixture.Cmts otherVendor = dial("10.1.0.1", 50_002);
        assertThat(connect(otherVendor, ip(10, 9, 0, 3), "casa")).as("same address, another vendor").isNotNull();
        assertThat(first.isOpen()).isTrue();
        assertThat(exporters.get("cmts-10.9.0.3").link()).isEqualTo(ExporterState.Link.CONNECTED);
    }

    @Test
    void aConnectThatNamesNobodyOrAListedCmtsIsRefused() throws Exception {
        ErrorMessage zero = connect(dial("10.1.0.1", 50_001), 0, "cisco");
        assertThat(zero.errorCode()).isEqualTo(256);
        assertThat(zero.description()).contains("initiatorId is 0").contains("list it under exporters");

        ErrorMessage listed = connect(dial("10.1.0.1", 50_002), ip(10, 0, 0, 5), "cisco");
        assertThat(listed.description()).contains("'cmts-10.0.0.5' is a CMTS listed under exporters or in the"
                + " inventory");
        directory.inventory(List.of("cmts-10.0.0.9"));
        ErrorMessage inventory = connect(dial("10.1.0.1", 50_003), ip(10, 0, 0, 9), "cisco");
        assertThat(inventory.description()).contains("'cmts-10.0.0.9' is a CMTS listed");
        assertThat(exporters).as("nobody admitted").isEmpty();
    }

    @Test
    void theVendorIdMayNameTooAndAdmissionsAreBounded() throws Exception {
        admission = admission(new FleetConfig().nameTemplate("{vendorId}-{initiatorId}").maxAdmitted(2));
        assertThat(connect(dial("10.1.0.1", 50_001), ip(10, 0, 0, 1), "Cisco Systems/IOS-XE")).isNull();
        assertThat(connect(dial("10.1.0.1", 50_002), ip(10, 0, 0, 2), "")).isNull();
        assertThat(exporters).containsOnlyKeys("Cisco_Systems_IOS-XE-10.0.0.1", "unknown-10.0.0.2");

        ErrorMessage full = connect(dial("10.1.0.1", 50_003), ip(10, 0, 0, 3), "casa");
        assertThat(full.description()).contains("already admitted 2 CMTSes").contains("fleet.maxAdmitted");
        assertThat(connect(dial("10.1.0.1", 50_004), ip(10, 0, 0, 1), "Cisco Systems/IOS-XE"))
                .as("a known CMTS still reconnects").isNull();
    }
}
