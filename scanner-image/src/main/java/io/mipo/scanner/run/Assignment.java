package io.mipo.scanner.run;

import io.mipo.scanner.json.Json;
import io.mipo.scanner.scan.PortList;
import io.mipo.scanner.scan.Subnet;
import io.mipo.scanner.util.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One scan assignment: every address of {@code subnet} × every port, at {@code maxProbesPerSecond} (0 = unlimited). */
public record Assignment(String group, Subnet subnet, PortList ports, double maxProbesPerSecond) {

    /** Identity for "did the work change?": same group, block, ports and rate. */
    String key() {
        return group + "|" + subnet + "|" + ports + "|" + maxProbesPerSecond;
    }

    @Override
    public String toString() {
        return (group == null ? "" : group + ": ") + subnet + " ports " + ports + " at "
                + (maxProbesPerSecond == 0 ? "unlimited" : maxProbesPerSecond + " probes/s");
    }

    /**
     * Reads the {@code assignments} array of a {@code GET /scanner/assignments} answer.
     * An entry the agent cannot scan (bad subnet or ports, a block too large) is logged and
     * skipped; the others still run.
     */
    static List<Assignment> parseAll(Map<String, Object> response, Log log) {
        List<Assignment> out = new ArrayList<>();
        for (Object o : Json.array(response, "assignments")) {
            if (!(o instanceof Map)) {
                log.warn("ignoring an assignment that is not a JSON object");
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) o;
            try {
                String group = a.get("group") == null ? null : String.valueOf(a.get("group"));
                Subnet subnet = Subnet.parse(Json.string(a, "subnet"));
                PortList ports = PortList.parse(Json.string(a, "ports"));
                double rate = Json.number(a, "maxProbesPerSecond", 0);
                if (!(rate >= 0) || Double.isInfinite(rate)) {
                    throw new IllegalArgumentException("maxProbesPerSecond must be ≥ 0, got " + rate);
                }
                out.add(new Assignment(group, subnet, ports, rate));
            } catch (RuntimeException e) {
                log.warn("skipping assignment %s: %s", Json.write(a), e.getMessage());
            }
        }
        return out;
    }
}
