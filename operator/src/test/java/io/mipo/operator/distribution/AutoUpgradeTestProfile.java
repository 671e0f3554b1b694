package io.mipo.operator.distribution;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link AgentLifecycleTestProfile} (serving {@value AgentLifecycleTestProfile#SERVED}) with automatic
 * upgrades on: half the fleet at a time, at most 2 failures. The leader's own rounds are an hour
 * apart, so the test drives {@link AutoUpgrades#tick()} itself, on a clock it sets.
 */
public class AutoUpgradeTestProfile extends AgentLifecycleTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("mipo.agent.auto-upgrade.enabled", "true");
        m.put("mipo.agent.auto-upgrade.max-percent", "50");
        m.put("mipo.agent.auto-upgrade.max-failures", "2");
        m.put("mipo.agent.auto-upgrade.deadline", "10m");
        m.put("mipo.agent.auto-upgrade.interval", "1h");
        return m;
    }
}
