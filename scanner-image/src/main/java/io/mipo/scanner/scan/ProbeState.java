package io.mipo.scanner.scan;

/** What a TCP connect probe saw. */
public enum ProbeState {
    /** The handshake completed. */
    OPEN("open"),
    /** The target answered with a reset (connection refused). */
    CLOSED("closed"),
    /** No answer within the timeout, or an ICMP unreachable: something drops the probe. */
    FILTERED("filtered"),
    /** A local failure (no route from here, out of file descriptors): says nothing about the target, never reported. */
    ERROR("error");

    private final String wire;

    ProbeState(String wire) {
        this.wire = wire;
    }

    /** The name used in findings. */
    public String wire() {
        return wire;
    }

    public static ProbeState fromWire(String s) {
        for (ProbeState p : values()) {
            if (p.wire.equalsIgnoreCase(s.trim()) && p != ERROR) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown probe state '" + s + "' (open, closed, filtered)");
    }
}
