package io.mipo.operator.model;

public enum TokenState {
    Unused,
    Consumed,
    Expired,
    Revoked
}
