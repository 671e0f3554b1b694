package io.mipo.operator.api.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.mipo.operator.model.MemberRate;

import java.util.List;

/**
 * {@code GET /api/config/scanner-groups/{id}/details}: the group with each member and, per target,
 * the share of its subnet limit and every enabled member's effective rate (docs/rate-limits.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupDetails(String id, String name, String description, List<Member> members, List<Target> targets,
                           int memberCount, int enabledMembers, int activeMembers, String status, boolean managedMembership,
                           String createdBy, String createdAt, List<Condition> conditions) {

    /** A member scanner: id, display name, phase, and the limits that decide its rates. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Member(String id, String name, String status, boolean disabled, int rateLimit) {
    }

    /**
     * A target with {@code perMemberRate} (its subnet limit over the enabled members; 0 = unlimited)
     * and {@code members}: each enabled member's {@code maxProbesPerSecond} and {@code limitedBy}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Target(String subnet, String ports, Integer rateLimit, Integer portListRateLimit, Double perMemberRate,
                         List<MemberRate> members) {
    }
}
