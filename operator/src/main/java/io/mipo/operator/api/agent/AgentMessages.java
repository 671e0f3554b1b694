package io.mipo.operator.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mipo.operator.liveness.AgentMetrics;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** Request and response bodies of {@code /scanner/register} and {@code /scanner/heartbeat} (docs/api.md#agent-ingest-api). */
public final class AgentMessages {
    private AgentMessages() {
    }

    /**
     * {@code token} for an External agent; {@code serviceAccountToken} (its projected ServiceAccount
     * token, audience mipo-scanner) for a pod of a DaemonSet scanner. Exactly one of them.
     */
    public record RegisterRequest(String token, String hostname, String version, String os, String arch, String internalIp,
                                  String serviceAccountToken, String registrationId) {
        public boolean inCluster() {
            return (token == null || token.isBlank()) && serviceAccountToken != null && !serviceAccountToken.isBlank();
        }

        @Override
        public String toString() {
            return "RegisterRequest[token=…, hostname=" + hostname + "]";
        }
    }

    public record RegisterResponse(String scannerId, String apiKey, long heartbeatIntervalSeconds) {
        @Override
        public String toString() {
            return "RegisterResponse[scannerId=" + scannerId + ", apiKey=mipo_sk_…]";
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HeartbeatRequest(String version, String hostname, String internalIp, List<String> capabilities,
                                   AgentMetrics metrics, String state) {
    }

    /**
     * {@code agentVersion}: the agent version this operator serves (an upgrade is available when it
     * is newer than the agent's); {@code minimumAgentVersion}: the oldest it accepts (older agents
     * get 426 AGENT_OUTDATED). Both null when the operator has no agent bundle. {@code upgradeTo}:
     * only when automatic upgrades are on and it is this agent's turn (docs/operations.md, "Automatic upgrades").
     */
    public record HeartbeatResponse(boolean disabled, long heartbeatIntervalSeconds, String assignmentsVersion,
                                    String agentVersion, String minimumAgentVersion,
                                    @JsonInclude(JsonInclude.Include.NON_NULL)
                                    @Schema(description = "Present only when automatic upgrades are on and it is this agent's turn:"
                                            + " the version to upgrade to now (the agent asks its host's mipo-scanner-upgrade.path"
                                            + " unit to run the upgrade). Absent otherwise.", nullable = true)
                                    String upgradeTo) {
    }
}
