package io.mipo.operator.api.config;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A group in the groups API. {@code scanners} are the ids of its members now; {@code status} is
 * {@code Ready}, {@code NoMembers} or {@code Invalid}; {@code managedMembership} tells whether the
 * members are set through this API (label {@code mipo.io/group.<id>}) or by a selector written
 * with kubectl, which the API does not change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupView(String id, String name, String description, List<String> scanners, List<GroupTargetView> targets,
                        int memberCount, int enabledMembers, int activeMembers, String status, boolean managedMembership,
                        String createdBy, String createdAt) {
}
