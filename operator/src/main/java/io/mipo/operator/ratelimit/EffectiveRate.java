package io.mipo.operator.ratelimit;

/**
 * The probe rate a scanner may use for one group target (docs/rate-limits.md): the lowest non-zero of the
 * scanner's limit, the target's subnet limit divided by the group's enabled members, and the
 * target's port-list limit; 0 (unlimited) only when all three are 0.
 *
 * <p>The division is exact: a positive limit never rounds down to 0, which would mean
 * "unlimited" (10 probes/s over 20 members is 0.5 each). Limits are compared as fractions in
 * integer arithmetic, so ties are exact too. A tie goes to the first of {@code scanner},
 * {@code subnet}, {@code portList} in that order (the order of the design's formula).
 *
 * @param maxProbesPerSecond probes per second, 0 = unlimited; may be fractional
 * @param limitedBy          the limit that won, {@link LimitedBy#none} when unlimited
 */
public record EffectiveRate(double maxProbesPerSecond, LimitedBy limitedBy) {

    public static final EffectiveRate UNLIMITED = new EffectiveRate(0, LimitedBy.none);

    /**
     * @param scannerLimit   the scanner's {@code spec.rateLimit}, ≥ 0 (0 = none)
     * @param subnetLimit    the target's {@code rateLimit}, ≥ 0 (0 = none), shared by the enabled members
     * @param enabledMembers the group's enabled members; ≥ 1 when {@code subnetLimit} is positive
     *                       (the scanner asking is one of them)
     * @param portListLimit  the target's {@code portListRateLimit}, ≥ 0 (0 = none)
     */
    public static EffectiveRate compute(int scannerLimit, int subnetLimit, int enabledMembers, int portListLimit) {
        if (scannerLimit < 0 || subnetLimit < 0 || portListLimit < 0) {
            throw new IllegalArgumentException("rate limits are never negative (scanner " + scannerLimit
                    + ", subnet " + subnetLimit + ", port list " + portListLimit + ")");
        }
        if (subnetLimit > 0 && enabledMembers < 1) {
            throw new IllegalArgumentException("a subnet limit is shared among at least one enabled member, got " + enabledMembers);
        }
        // Each candidate is numerator/denominator; the first wins ties because only a strictly lower one replaces it.
        long bestNum = 0;
        long bestDen = 1;
        LimitedBy best = LimitedBy.none;
        if (scannerLimit > 0) {
            bestNum = scannerLimit;
            best = LimitedBy.scanner;
        }
        if (subnetLimit > 0 && (best == LimitedBy.none || lower(subnetLimit, enabledMembers, bestNum, bestDen))) {
            bestNum = subnetLimit;
            bestDen = enabledMembers;
            best = LimitedBy.subnet;
        }
        if (portListLimit > 0 && (best == LimitedBy.none || lower(portListLimit, 1, bestNum, bestDen))) {
            bestNum = portListLimit;
            bestDen = 1;
            best = LimitedBy.portList;
        }
        return best == LimitedBy.none ? UNLIMITED : new EffectiveRate((double) bestNum / bestDen, best);
    }

    /** Null-tolerant form for CR fields, where an absent limit means 0. */
    public static EffectiveRate compute(Integer scannerLimit, Integer subnetLimit, int enabledMembers, Integer portListLimit) {
        return compute(orZero(scannerLimit), orZero(subnetLimit), enabledMembers, orZero(portListLimit));
    }

    /** The subnet limit's share per enabled member: 0 when there is no limit, null when no member is enabled. */
    public static Double share(Integer subnetLimit, int enabledMembers) {
        int limit = orZero(subnetLimit);
        if (limit == 0) {
            return 0.0;
        }
        return enabledMembers < 1 ? null : (double) limit / enabledMembers;
    }

    public boolean unlimited() {
        return limitedBy == LimitedBy.none;
    }

    private static boolean lower(long num, long den, long otherNum, long otherDen) {
        return num * otherDen < otherNum * den;
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }
}
