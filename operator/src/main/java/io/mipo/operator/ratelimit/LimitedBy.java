package io.mipo.operator.ratelimit;

/**
 * Which limit decided a scanner's probe rate for a target (docs/rate-limits.md). The names are the values
 * users see in {@code Scanner.status.assignments[].limitedBy}.
 */
public enum LimitedBy {
    /** The scanner's own {@code spec.rateLimit}. */
    scanner,
    /** The target's {@code rateLimit}, shared among the group's enabled members. */
    subnet,
    /** The target's {@code portListRateLimit}. */
    portList,
    /** No limit applies: all three are 0, so the rate is unlimited. */
    none
}
