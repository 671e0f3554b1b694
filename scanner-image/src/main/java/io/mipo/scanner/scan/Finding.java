package io.mipo.scanner.scan;

import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** One probe's outcome, as posted to {@code /scanner/results}. */
public record Finding(InetAddress ip, int port, ProbeState state, Instant observedAt) {

    /** {@code {ip, port, state, observedAt}} with observedAt in RFC 3339 (UTC, milliseconds). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        String address = ip.getHostAddress();
        int zone = address.indexOf('%');
        m.put("ip", zone < 0 ? address : address.substring(0, zone));
        m.put("port", port);
        m.put("state", state.wire());
        m.put("observedAt", observedAt.truncatedTo(ChronoUnit.MILLIS).toString());
        return m;
    }
}
