package io.mipo.scanner.client;

/** No HTTP answer at all: refused, timed out, DNS failure, TLS failure. */
public final class ServerUnreachableException extends Exception {
    private static final long serialVersionUID = 1L;

    public ServerUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
