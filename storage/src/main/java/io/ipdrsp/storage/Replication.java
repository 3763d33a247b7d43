package io.ipdrsp.storage;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How the keyspace is replicated: one site ({@link Simple}) or several data centers ({@link NetworkTopology}). */
public sealed interface Replication {

    /** SimpleStrategy: single data center, for development and the embedded default. */
    static Replication simple(int replicationFactor) {
        return new Simple(replicationFactor);
    }

    /** NetworkTopologyStrategy with a replication factor per data center (geographically distributed sites). */
    static Replication networkTopology(Map<String, Integer> factorPerDatacenter) {
        return new NetworkTopology(factorPerDatacenter);
    }

    /** The CQL map literal for {@code WITH replication = ...}. */
    String cql();

    record Simple(int replicationFactor) implements Replication {
        public Simple {
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("replication factor must be >= 1: " + replicationFactor);
            }
        }

        @Override
        public String cql() {
            return "{'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}";
        }
    }

    record NetworkTopology(Map<String, Integer> factorPerDatacenter) implements Replication {
        public NetworkTopology {
            if (factorPerDatacenter.isEmpty()) {
                throw new IllegalArgumentException("at least one data center");
            }
            factorPerDatacenter.forEach((dc, rf) -> {
                if (!dc.matches("[A-Za-z0-9_.-]+") || rf < 1) {
                    throw new IllegalArgumentException("bad data center entry: " + dc + "=" + rf);
                }
            });
            factorPerDatacenter = Map.copyOf(new TreeMap<>(factorPerDatacenter));
        }

        @Override
        public String cql() {
            return new TreeMap<>(factorPerDatacenter).entrySet().stream()
                    .map(e -> "'" + e.getKey() + "': " + e.getValue())
                    .collect(Collectors.joining(", ", "{'class': 'NetworkTopologyStrategy', ", "}"));
        }
    }
}
