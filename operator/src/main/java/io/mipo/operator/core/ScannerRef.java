package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Identifies a scanner: its namespace and {@code metadata.name} (the scanner's id). */
public record ScannerRef(String namespace, String name) {

    public static ScannerRef of(HasMetadata resource) {
        return new ScannerRef(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
