package io.mipo.scanner;

/** Process exit codes; the systemd unit does not restart on {@link #NOT_AUTHORIZED}. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Unexpected failure (a server error, a malformed response, an I/O error). */
    public static final int FAILURE = 1;
    /** Bad command line. */
    public static final int USAGE = 2;
    /** Token or API key refused, or no credentials: the scanner must be (re-)provisioned. */
    public static final int NOT_AUTHORIZED = 3;
    /** The scanner's IP binding does not allow this host's address. */
    public static final int BINDING_VIOLATION = 4;
    /** The mipo server could not be reached. */
    public static final int UNREACHABLE = 5;

    private ExitCodes() {
    }
}
