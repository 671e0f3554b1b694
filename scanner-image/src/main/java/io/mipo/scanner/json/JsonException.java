package io.mipo.scanner.json;

/** Malformed JSON, or a value of the wrong type. */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
