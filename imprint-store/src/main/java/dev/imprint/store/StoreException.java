package dev.imprint.store;

/** A store operation failed; the cause holds the database error. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
