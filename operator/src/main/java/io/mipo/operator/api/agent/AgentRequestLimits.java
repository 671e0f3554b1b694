package io.mipo.operator.api.agent;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.liveness.AgentMetrics;
import io.mipo.operator.net.IpAddresses;
import io.mipo.operator.validation.FieldError;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounds on what agents may send: body size, string lengths and characters, at most 50
 * capabilities, non-negative metrics. Values that pass can be logged, put in status and written
 * to a heartbeat ledger line as they are (no whitespace, no control characters).
 */
public final class AgentRequestLimits {
    public static final int MAX_BODY_BYTES = 16 * 1024;
    public static final int MAX_CAPABILITIES = 50;
    // Each rule: a first character, then up to max - 1 more, from ASCII classes (checked on every
    // heartbeat, so a table look-up per character instead of a regular expression).
    static final Word HOSTNAME = new Word("_", "._-", 253);
    static final Word VERSION = new Word("", "._+-", 64);
    static final Word PLATFORM = new Word("", "._-", 32);
    static final Word CAPABILITY = new Word("", "._:/+-", 64);

    private AgentRequestLimits() {
    }

    public static void checkSize(byte[] body) {
        if (body != null && body.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "BODY_TOO_LARGE", "Payload too large",
                    "the request body has " + body.length + " bytes; agent calls accept at most " + MAX_BODY_BYTES);
        }
    }

    public static void check(AgentMessages.RegisterRequest r) {
        List<FieldError> errors = new ArrayList<>();
        if ((r.token() == null || r.token().isBlank()) && (r.serviceAccountToken() == null || r.serviceAccountToken().isBlank())) {
            errors.add(new FieldError("token", "Required", "token is required: the provisioning token from the install command"));
        } else if (r.token() != null && !r.token().isBlank() && r.serviceAccountToken() != null && !r.serviceAccountToken().isBlank()) {
            errors.add(new FieldError("serviceAccountToken", "Conflict", "send either token or serviceAccountToken, not both"));
        } else if (r.serviceAccountToken() != null && r.serviceAccountToken().length() > 8192) {
            errors.add(new FieldError("serviceAccountToken", "TooLong", "serviceAccountToken is longer than 8192 characters"));
        }
        required(errors, "hostname", r.hostname(), HOSTNAME, 253, "a host name (letters, digits, '.', '-', '_')");
        required(errors, "version", r.version(), VERSION, 64, "a version (letters, digits, '.', '+', '-')");
        required(errors, "os", r.os(), PLATFORM, 32, "an operating system name such as linux");
        required(errors, "arch", r.arch(), PLATFORM, 32, "an architecture name such as amd64");
        ip(errors, r.internalIp());
        if (r.registrationId() != null && !io.mipo.operator.credentials.RegistrationRetry.wellFormed(r.registrationId())) {
            errors.add(new FieldError("registrationId", "Invalid", "registrationId must be a UUID (8-4-4-4-12 hex digits)"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    public static void check(AgentMessages.HeartbeatRequest r) {
        List<FieldError> errors = new ArrayList<>();
        optional(errors, "hostname", r.hostname(), HOSTNAME, 253, "a host name (letters, digits, '.', '-', '_')");
        optional(errors, "version", r.version(), VERSION, 64, "a version (letters, digits, '.', '+', '-')");
        ip(errors, r.internalIp());
        if (r.capabilities() != null) {
            if (r.capabilities().size() > MAX_CAPABILITIES) {
                errors.add(new FieldError("capabilities", "TooMany",
                        "at most " + MAX_CAPABILITIES + " capabilities are accepted, got " + r.capabilities().size()));
            } else {
                for (int i = 0; i < r.capabilities().size(); i++) {
                    String c = r.capabilities().get(i);
                    if (c == null || !CAPABILITY.matches(c)) {
                        errors.add(new FieldError("capabilities[" + i + "]", "Invalid",
                                "capabilities[" + i + "] must be 1-64 letters, digits or . _ : / + -"));
                    }
                }
            }
        }
        if (r.state() != null && !r.state().equals("idle") && !r.state().equals("scanning")) {
            errors.add(new FieldError("state", "Invalid", "state must be idle or scanning"));
        }
        metrics(errors, r.metrics());
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    private static void metrics(List<FieldError> errors, AgentMetrics m) {
        if (m == null) {
            return;
        }
        nonNegative(errors, "metrics.loadAvg1m", m.loadAvg1m());
        nonNegative(errors, "metrics.loadAvg5m", m.loadAvg5m());
        nonNegative(errors, "metrics.loadAvg15m", m.loadAvg15m());
        nonNegative(errors, "metrics.memoryTotalBytes", m.memoryTotalBytes() == null ? null : m.memoryTotalBytes().doubleValue());
        nonNegative(errors, "metrics.memoryAvailableBytes", m.memoryAvailableBytes() == null ? null : m.memoryAvailableBytes().doubleValue());
        nonNegative(errors, "metrics.networkRxBytes", m.networkRxBytes() == null ? null : m.networkRxBytes().doubleValue());
        nonNegative(errors, "metrics.networkTxBytes", m.networkTxBytes() == null ? null : m.networkTxBytes().doubleValue());
        if (m.numCpus() != null && (m.numCpus() < 0 || m.numCpus() > 65_536)) {
            errors.add(new FieldError("metrics.numCpus", "OutOfRange", "metrics.numCpus must be between 0 and 65536"));
        }
    }

    private static void nonNegative(List<FieldError> errors, String field, Double v) {
        if (v != null && (v.isNaN() || v.isInfinite() || v < 0)) {
            errors.add(new FieldError(field, "OutOfRange", field + " must be a non-negative number"));
        }
    }

    private static void required(List<FieldError> errors, String field, String v, Word p, int max, String what) {
        if (v == null || v.isEmpty()) {
            errors.add(new FieldError(field, "Required", field + " is required: " + what));
        } else {
            optional(errors, field, v, p, max, what);
        }
    }

    private static void optional(List<FieldError> errors, String field, String v, Word p, int max, String what) {
        if (v == null) {
            return;
        }
        if (v.length() > max) {
            errors.add(new FieldError(field, "TooLong", field + " must be at most " + max + " characters, got " + v.length()));
        } else if (!p.matches(v)) {
            errors.add(new FieldError(field, "Invalid", field + " must be " + what));
        }
    }

    /**
     * A word of ASCII letters and digits plus some punctuation: the first character from letters,
     * digits and {@code firstAlso}, the rest (at most {@code max} characters in all) from letters,
     * digits and {@code restAlso}. The same as {@code ^[A-Za-z0-9<firstAlso>][A-Za-z0-9<restAlso>]{0,max-1}$}.
     */
    static final class Word {
        private final boolean[] first = new boolean[128];
        private final boolean[] rest = new boolean[128];
        private final int max;

        Word(String firstAlso, String restAlso, int max) {
            this.max = max;
            for (char c = 0; c < 128; c++) {
                boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                first[c] = alnum || firstAlso.indexOf(c) >= 0;
                rest[c] = alnum || restAlso.indexOf(c) >= 0;
            }
        }

        boolean matches(String v) {
            int n = v.length();
            if (n == 0 || n > max) {
                return false;
            }
            char c = v.charAt(0);
            if (c >= 128 || !first[c]) {
                return false;
            }
            for (int i = 1; i < n; i++) {
                c = v.charAt(i);
                if (c >= 128 || !rest[c]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static void ip(List<FieldError> errors, String v) {
        if (v != null && !v.isEmpty() && !IpAddresses.isValid(v)) {
            errors.add(new FieldError("internalIp", "Invalid", "internalIp must be an IPv4 or IPv6 address"));
        }
    }
}
