package io.ipdrsp.node.transport;

import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ExporterNaming;
import io.ipdrsp.node.config.FleetConfig;
import io.ipdrsp.node.fleet.ExporterDirectory;
import io.ipdrsp.node.session.Admission;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.protocol.Connect;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Names the CMTSes that {@code listen.allow} admits, from their CONNECT ({@code fleet.nameTemplate}). A name is
 * one CMTS:
 * <ul>
 * <li>a new connection under a name whose CMTS is connected now is the same CMTS reconnecting when it comes from
 * the same address with the same vendorId: it replaces the older connection, as a listed CMTS's does;</li>
 * <li>otherwise two CMTSes claim one initiatorId (a misconfiguration): the newcomer is refused with ERROR naming
 * both, and the connected one keeps its sessions — records of two CMTSes never mix in one exporter's documents.
 * Once the first disconnects (or its keep-alive expires) the name is free again: a NAT'd CMTS whose address
 * changed is admitted on its next attempt;</li>
 * <li>a name that belongs to a CMTS under {@code exporters} or in the inventory is refused (that CMTS is
 * reached by its listed address);</li>
 * <li>an initiatorId of 0 names nobody: refused, the ERROR says how to fix it.</li>
 * </ul>
 */
final class RangeAdmission implements Admission {
    /** Where a name's CMTS connected from last, and the vendorId it gave. */
    private record Origin(String host, String vendorId) {
    }

    private final ExporterNaming naming;
    private final FleetConfig fleet;
    private final ExporterDirectory directory;
    private final Map<String, ExporterState> exporters;
    private final Map<ExporterState, Channel> current;
    private final BiConsumer<ExporterState, Channel> replace;
    private final Map<String, Origin> origins = new HashMap<>(); // guarded by this

    /**
     * @param exporters every CMTS of the node by name (admitted ones are added)
     * @param current   each CMTS's newest connection
     * @param replace   makes a channel its CMTS's current connection, closing an older one
     */
    RangeAdmission(FleetConfig fleet, ExporterDirectory directory, Map<String, ExporterState> exporters,
                   Map<ExporterState, Channel> current, BiConsumer<ExporterState, Channel> replace) {
        this.naming = ExporterNaming.parse(fleet.getNameTemplate());
        this.fleet = fleet;
        this.directory = directory;
        this.exporters = exporters;
        this.current = current;
        this.replace = replace;
    }

    /** The state a connection carries until its CONNECT names its CMTS; never listed, never led. */
    ExporterState standIn(String sourceAddress) {
        return new ExporterState(new ExporterConfig("unnamed@" + sourceAddress, sourceAddress, 4737,
                Direction.LISTEN).keepAliveSeconds(fleet.getKeepAliveSeconds()));
    }

    @Override
    public synchronized Result admit(Connect connect, Channel ch) {
        String name = naming.name(connect.initiatorId(), connect.vendorId());
        if (name == null) {
            return Result.refused("CONNECT initiatorId is 0: a CMTS admitted by listen.allow is named by the address"
                    + " its CONNECT gives (fleet.nameTemplate " + naming.template() + "); give the CMTS an IPDR"
                    + " source address, or list it under exporters");
        }
        if (directory.isConfigured(name)) {
            return Result.refused("'" + name + "' is a CMTS listed under exporters or in the inventory, reached at"
                    + " its listed address; fix the CMTS's address or the list");
        }
        Origin origin = new Origin(ProtocolErrors.peer(ch), Objects.toString(connect.vendorId(), ""));
        ExporterState st = exporters.get(name);
        if (st == null) {
            if (origins.size() >= fleet.getMaxAdmitted()) {
                return Result.refused("this collector already admitted " + origins.size() + " CMTSes by range"
                        + " (fleet.maxAdmitted): raise it if the fleet is that large");
            }
            String address = ExporterNaming.dotted(connect.initiatorId());
            int port = ch.remoteAddress() instanceof InetSocketAddress a ? a.getPort() : 0;
            st = new ExporterState(new ExporterConfig(name, address, Math.max(1, port), Direction.LISTEN)
                    .keepAliveSeconds(fleet.getKeepAliveSeconds()));
            exporters.put(name, st);
        } else {
            Channel live = current.get(st);
            Origin was = origins.get(name);
            if (live != null && live != ch && live.isActive() && was != null && !was.equals(origin)) {
                return Result.refused("'" + name + "' is connected now from " + was.host() + " (vendorId '"
                        + was.vendorId() + "'): two CMTSes give initiatorId " + ExporterNaming.dotted(
                        connect.initiatorId()) + "; give each its own IPDR source address");
            }
        }
        origins.put(name, origin);
        directory.admitted(name);
        replace.accept(st, ch);
        return Result.admitted(st);
    }
}
