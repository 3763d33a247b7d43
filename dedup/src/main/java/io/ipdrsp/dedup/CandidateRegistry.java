package io.ipdrsp.dedup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;

/**
 * Who may lead which exporter: the candidate entries {@code /candidates/<site>/<nodeId>} (each lists the node's
 * exporters, one name a line) and the rendezvous hashing that picks one owner per exporter among the candidates
 * that have it. Stateless helpers over a {@link CuratorCache} of the site's candidates.
 */
final class CandidateRegistry {
    private CandidateRegistry() {
    }

    /**
     * The live candidates with the exporters each has (null: every exporter, an entry without a list, as written by
     * nodes before lists were published); {@code selfId}'s list is {@code selfExporters}, not the cached copy, which
     * may lag behind a {@code setExporters}.
     */
    static Map<String, Set<String>> candidates(CuratorCache registry, String prefix, String selfId,
            Set<String> selfExporters) {
        Map<String, Set<String>> out = new HashMap<>();
        for (ChildData d : registry.stream().toList()) {
            String p = d.getPath();
            String node = p.startsWith(prefix) ? p.substring(prefix.length()) : "";
            if (node.isEmpty() || node.contains("/")) {
                continue;
            }
            byte[] data = d.getData();
            out.put(node, node.equals(selfId) ? selfExporters : data == null || data.length == 0 ? null
                    : Set.of(new String(data, StandardCharsets.UTF_8).split("\n")));
        }
        return out;
    }

    /** The live candidates that have the exporter. */
    static List<String> candidatesFor(String exporter, Map<String, Set<String>> candidates) {
        List<String> out = new ArrayList<>();
        candidates.forEach((node, list) -> {
            if (list == null || list.contains(exporter)) {
                out.add(node);
            }
        });
        return out;
    }

    /** Rendezvous (highest random weight) hashing: the node that owns an exporter among {@code nodes}, or null. */
    static String owner(String exporter, Collection<String> nodes) {
        String best = null;
        long bestWeight = 0;
        for (String n : nodes) {
            long w = mix(fnv(exporter) * 31 + fnv(n));
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0
                    || (w == bestWeight && n.compareTo(best) < 0)) {
                best = n;
                bestWeight = w;
            }
        }
        return best;
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 finalizer: spreads the combined hash so that weights of similar names are independent. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
