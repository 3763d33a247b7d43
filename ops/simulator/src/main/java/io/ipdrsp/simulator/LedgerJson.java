package io.ipdrsp.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ledger's JSON form, read by end-to-end checks outside this module: fields are only ever added, never renamed
 * or removed (format in {@code docs/simulator.md}).
 */
final class LedgerJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LedgerJson() {
    }

    static String toJson(Ledger ledger) {
        ObjectNode root = JSON.createObjectNode();
        root.put("totalAcked", ledger.totalAcked());
        root.put("totalSent", ledger.totalSent());
        Map<String, Map<Integer, List<Ledger.Document>>> tree = new TreeMap<>();
        for (Ledger.Document d : ledger.documents()) {
            tree.computeIfAbsent(d.cmts(), k -> new TreeMap<>())
                    .computeIfAbsent(d.sessionId(), k -> new ArrayList<>()).add(d);
        }
        ArrayNode cmtses = root.putArray("cmtses");
        tree.forEach((cmts, sessions) -> {
            ObjectNode c = cmtses.addObject();
            c.put("name", cmts);
            ArrayNode sa = c.putArray("sessions");
            sessions.forEach((sid, docs) -> {
                ObjectNode s = sa.addObject();
                s.put("sessionId", sid);
                ArrayNode da = s.putArray("documents");
                for (Ledger.Document d : docs) {
                    document(da.addObject(), d);
                }
            });
        });
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void document(ObjectNode o, Ledger.Document d) {
        o.put("documentId", d.documentId());
        o.put("exporterBootTime", d.exporterBootTime());
        o.put("occurrence", d.occurrence());
        o.put("configId", d.configId());
        ranges(o, "generated", d.generated());
        ranges(o, "sent", d.sent());
        ranges(o, "acked", d.acked());
        ObjectNode by = o.putObject("ackedBy");
        d.ackedBy().forEach((col, r) -> ranges(by, col, r));
        ranges(o, "resentWithDuplicateFlag", d.resentWithDuplicateFlag());
        ranges(o, "resentWithoutDuplicateFlag", d.resentWithoutDuplicateFlag());
        ranges(o, "droppedDeclared", d.droppedDeclared());
        ranges(o, "lostSilently", d.lostSilently());
        o.put("declaredDropCount", d.declaredDropCount());
        if (d.stopReason() == null) {
            o.putNull("stopReason");
        } else {
            o.put("stopReason", d.stopReason());
        }
        o.put("handOffs", d.handOffs());
        ArrayNode starts = o.putArray("sessionStarts");
        for (Ledger.Start st : d.starts()) {
            ObjectNode start = starts.addObject().put("collector", st.collector()).put("primary", st.primary())
                    .put("takesData", st.takesData()).put("firstRecordSequenceNumber", st.firstRecordSequenceNumber())
                    .put("droppedRecordCount", st.droppedRecordCount());
            ranges(start, "sent", st.sent());
        }
    }

    private static void ranges(ObjectNode o, String name, RangeSet set) {
        ArrayNode a = o.putArray(name);
        for (long[] r : set.ranges()) {
            a.addArray().add(r[0]).add(r[1]);
        }
    }

    static void write(Ledger ledger, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toJson(ledger));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
