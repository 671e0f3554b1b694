package io.mipo.operator.model;

public enum DeploymentMode {
    External,
    DaemonSet
}
