package io.ipdrsp.storage;

import java.util.List;

/**
 * A sequence number stored in more than one version (differing bytes received for the same record key): every
 * version, in the order readers see them (the first is what {@link CassandraStorage#streamRecords} returns), each
 * with its receipts (which node received which version). Raise the alarm for it once with
 * {@link CassandraStorage#recordConflict}.
 */
public record VersionConflict(RecordKey key, long seq, List<StoredRecord> versions) {
    public VersionConflict {
        versions = List.copyOf(versions);
        if (versions.size() < 2) {
            throw new IllegalArgumentException("a conflict has at least two versions: " + versions.size());
        }
    }

    /** The conflict as the audit keeps it: the version readers see, the first other one, and a note naming all. */
    public IntegrityConflict toIntegrityConflict(java.time.Instant detectedAt, String detectedBy, String how) {
        StringBuilder note = new StringBuilder(how).append(": ").append(versions.size()).append(" versions");
        for (StoredRecord v : versions) {
            note.append("; ").append(v.data().remaining()).append(" bytes received by ").append(v.receipts());
        }
        return new IntegrityConflict(key, seq, detectedAt, detectedBy, versions.get(0).data(), versions.get(1).data(),
                note.toString());
    }
}
