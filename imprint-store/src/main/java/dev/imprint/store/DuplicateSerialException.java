package dev.imprint.store;

/** A serial was recorded twice; the batch that carried it was not written. */
public class DuplicateSerialException extends StoreException {
    public DuplicateSerialException(String message, Throwable cause) {
        super(message, cause);
    }
}
