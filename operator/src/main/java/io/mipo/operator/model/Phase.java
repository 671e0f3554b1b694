package io.mipo.operator.model;

/** A scanner's liveness phase (DESIGN §4). */
public enum Phase {
    Pending,
    Active,
    Offline,
    Disabled
}
