package io.mipo.operator.model;

/** A scanner's liveness phase (docs/liveness.md). */
public enum Phase {
    Pending,
    Active,
    Offline,
    Disabled
}
