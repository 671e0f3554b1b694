package io.mipo.operator.model;

public enum Enforcement {
    Enforce,
    Audit
}
