package io.ipdrsp.storage;

/**
 * A write was refused because twice {@code maxPendingRecords} records are already waiting: the caller ignored
 * {@link RecordWriter#hasCapacity()} and should stop reading from its exporters.
 */
public final class StorageOverloadedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StorageOverloadedException(String message) {
        super(message);
    }
}
