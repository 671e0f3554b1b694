package io.mipo.operator.liveness;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link LivenessTestProfile}'s settings with offline-after 20 s, heartbeat-interval 5 s and a small transition budget (3 at once, then 4 a
 * second; 2 a second for Offline during an outage; at most 2 per-scanner Events per namespace within
 * 10 s), so that a fleet of a few dozen scanners is "many" for {@link ManyTransitionsTest}.
 */
public class ManyTransitionsProfile extends LivenessTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        // long enough that registering a few dozen scanners on a busy machine does not flap them (in real time)
        m.put("mipo.liveness.offline-after", "20s");
        m.put("mipo.liveness.heartbeat-interval", "5s");
        m.put("mipo.liveness.transition-rate", "4");
        m.put("mipo.liveness.transition-burst", "3");
        m.put("mipo.liveness.outage-threshold", "0.55");
        m.put("mipo.liveness.outage-offline-rate", "2");
        m.put("mipo.liveness.event-batch-threshold", "2");
        return m;
    }
}
