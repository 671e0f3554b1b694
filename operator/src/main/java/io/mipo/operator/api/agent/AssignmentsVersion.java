package io.mipo.operator.api.agent;


import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The version of a scanner's assignments that heartbeats report, so that an agent fetches
 * {@code /scanner/assignments} only when it changed: a short hash of what the agent receives
 * (group, subnet, ports, rate; see {@link AgentWork}), "0" when there is nothing to do.
 */
public final class AssignmentsVersion {
    public static final String NONE = "0";

    private AssignmentsVersion() {
    }

    public static String of(List<AgentWorkResource.WorkItem> assignments) {
        if (assignments == null || assignments.isEmpty()) {
            return NONE;
        }
        StringBuilder sb = new StringBuilder();
        for (AgentWorkResource.WorkItem a : assignments) {
            sb.append(a.group()).append('|').append(a.subnet()).append('|').append(a.ports()).append('|')
                    .append(a.maxProbesPerSecond()).append('\n');
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
