package io.mipo.operator.group;

import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupStatus;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/**
 * Fills {@code ScannerGroup.status.targets}: each target's per-member share of its subnet limit and
 * the effective rate of every enabled member, computed with the same rule as the members' own
 * assignments.
 */
@ApplicationScoped
public class MemberRatesContributor implements GroupStatusContributor {
    /**
     * At most this many member rates (targets × enabled members) go into a group's status; past it
     * only the per-member share is listed, so a large group cannot outgrow an object's size limit.
     */
    public static final int MAX_MEMBER_RATES_IN_STATUS = 1000;

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void contribute(ScannerGroup group, List<Scanner> members, ScannerGroupStatus previous, ScannerGroupStatus next, Instant now) {
        next.setTargets(GroupRates.targets(group, members, MAX_MEMBER_RATES_IN_STATUS));
    }
}
