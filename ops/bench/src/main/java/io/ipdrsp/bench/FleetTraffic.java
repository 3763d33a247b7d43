package io.ipdrsp.bench;

import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated fleet of a run: CMTS {@code k} dials the node from its own loopback address (127.10.x.y), says that
 * address in CONNECT (so the node names it {@code cmts-127.10.x.y}), and exports 1–3 sessions like a DOCSIS CMTS:
 * SAMIS-TYPE-1 and CMTS-CM-REG-STATUS-TYPE by time interval, boundaries on the wall clock (every session of the fleet
 * starts a new document at the same moment), and CPE-TYPE as events; acks as a Cisco CMTS asks them (200 records or
 * 60 s).
 */
final class FleetTraffic {
    static final int ACK_SEQUENCE = 200;
    static final int ACK_TIME_SECONDS = 60;

    private FleetTraffic() {
    }

    /** The loopback address CMTS number {@code k} (1-based) dials from and names itself by. */
    static String address(int k) {
        return "127.10." + ((k - 1) / 250) + "." + (1 + (k - 1) % 250);
    }

    /** The name the node gives CMTS {@code k} (fleet.nameTemplate cmts-{initiatorId}). */
    static String name(int k) {
        return "cmts-" + address(k);
    }

    static int totalSessions(FleetOptions o, int cmtses) {
        int n = 0;
        for (int k = 1; k <= cmtses; k++) {
            n += o.sessionsOf(k);
        }
        return n;
    }

    static FleetSpec spec(FleetOptions o, int cmtses, int nodePort) {
        double perSession = o.rate() / totalSessions(o, cmtses);
        List<CmtsSpec> out = new ArrayList<>();
        for (int k = 1; k <= cmtses; k++) {
            List<SessionSpec> sessions = new ArrayList<>();
            sessions.add(timeInterval(1, Templates.SAMIS_TYPE_1, o, perSession).withName("SAMIS"));
            if (o.sessionsOf(k) >= 2) {
                sessions.add(timeInterval(2, Templates.CMTS_CM_REG_STATUS_TYPE, o, perSession).withName("CM-REG"));
            }
            if (o.sessionsOf(k) >= 3) {
                sessions.add(SessionSpec.event(3, Templates.CPE_TYPE).withRate(perSession)
                        .withAcks(ACK_SEQUENCE, ACK_TIME_SECONDS).withName("CPE"));
            }
            out.add(CmtsSpec.of(name(k), Direction.CONNECT, List.of(CollectorSpec.at("127.0.0.1", nodePort, 1)),
                    sessions).withListen(address(k), 0).withMac(0x001dcf300000L + k).withKeepAlive(30)
                    .withModems(50).withReconnectDelay(Duration.ofSeconds(1)));
        }
        // two event loops: the simulator is one more process on a machine the node and Cassandra share
        return new FleetSpec(out, java.util.Map.of(), List.of(), null, null, 2);
    }

    private static SessionSpec timeInterval(int id, String template, FleetOptions o, double rate) {
        return SessionSpec.timeInterval(id, template, o.interval()).withRate(rate)
                .withAcks(ACK_SEQUENCE, ACK_TIME_SECONDS).withAlignedBoundaries(true);
    }
}
