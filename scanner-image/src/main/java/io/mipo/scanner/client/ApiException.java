package io.mipo.scanner.client;

/**
 * The server answered with an error: an RFC 9457 problem ({@code title}, {@code status},
 * {@code detail}, {@code code}), or a response the agent cannot use.
 */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;
    /** Pseudo-code for a 2xx response whose body is not what the API promises. */
    public static final String MALFORMED_RESPONSE = "MALFORMED_RESPONSE";

    private final int status;
    private final String code;
    private final String title;
    private final String detail;

    public ApiException(int status, String code, String title, String detail) {
        super(describe(status, code, title, detail));
        this.status = status;
        this.code = code;
        this.title = title;
        this.detail = detail;
    }

    private static String describe(int status, String code, String title, String detail) {
        StringBuilder sb = new StringBuilder("HTTP ").append(status);
        if (code != null) {
            sb.append(' ').append(code);
        }
        if (title != null) {
            sb.append(": ").append(title);
        }
        if (detail != null && !detail.equals(title)) {
            sb.append(title != null ? " (" : ": ").append(detail).append(title != null ? ")" : "");
        }
        return sb.toString();
    }

    public int status() {
        return status;
    }

    /** The problem's machine-readable {@code code}, or null. */
    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    /** Worth retrying later: server errors, throttling, and responses we could not read. */
    public boolean retryable() {
        return status >= 500 || status == 429 || status == 408 || MALFORMED_RESPONSE.equals(code);
    }
}
