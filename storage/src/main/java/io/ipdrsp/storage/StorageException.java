package io.ipdrsp.storage;

/** A storage operation failed; for a record write this means the record is not stored and must not be acked. */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
