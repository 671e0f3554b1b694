package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.AgentInfo;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.distribution.AgentLifecycleStatusContributor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade's agent view says whether the agent is outdated, from the AgentOutdated condition. */
class ScannerViewsAgentTest {

    private static Scanner scanner(Boolean outdated) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("edge-1").withCreationTimestamp("2026-01-01T00:00:00Z").build());
        s.setSpec(new ScannerSpec());
        ScannerStatus st = new ScannerStatus();
        AgentInfo agent = new AgentInfo();
        agent.setVersion("1.4.2");
        st.setAgent(agent);
        List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>();
        if (outdated != null) {
            conditions.add(Conditions.of(AgentLifecycleStatusContributor.AGENT_OUTDATED, outdated, outdated ? "Outdated" : "Current", "m", 1L));
        }
        st.setConditions(conditions);
        s.setStatus(st);
        return s;
    }

    @Test
    void theAgentViewSaysOutdatedOnlyWhenTheConditionIsTrue() {
        Instant now = Instant.parse("2026-01-02T00:00:00Z");
        assertTrue(ScannerViews.of(scanner(true), ScannerView.BindingSummary.NONE, List.of(), now, Duration.ofMinutes(2)).agent().outdated());
        assertFalse(ScannerViews.of(scanner(false), ScannerView.BindingSummary.NONE, List.of(), now, Duration.ofMinutes(2)).agent().outdated());
        assertFalse(ScannerViews.of(scanner(null), ScannerView.BindingSummary.NONE, List.of(), now, Duration.ofMinutes(2)).agent().outdated(),
                "no condition (no bundle served): not outdated");
        assertNull(ScannerViews.of(scanner(true), ScannerView.BindingSummary.NONE, List.of(), now, Duration.ofMinutes(2)).agent().autoUpgrade(),
                "no automatic upgrade: no value");
        for (String reason : List.of("Upgrading", "Failed")) {
            Scanner s = scanner(true);
            s.getStatus().getConditions().add(Conditions.of(AgentLifecycleStatusContributor.AUTO_UPGRADE, reason.equals("Upgrading"), reason, "m", 1L));
            assertEquals(reason, ScannerViews.of(s, ScannerView.BindingSummary.NONE, List.of(), now, Duration.ofMinutes(2)).agent().autoUpgrade());
        }
        Scanner none = scanner(true);
        none.getStatus().setAgent(null);
        assertNull(ScannerViews.of(none, ScannerView.BindingSummary.NONE, List.of(), now, Duration.ofMinutes(2)).agent());
    }
}
