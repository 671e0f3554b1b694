package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Scanners that each scan the same targets, sharing each target's subnet rate limit. */
@JsonClassDescription("Scanners, selected by label, that each scan the same targets from their own vantage point (not a load balancer). A target's subnet rate limit is shared among the enabled members.")
@Categories("mipo")
@Group(Scanner.GROUP)
@Version(Scanner.VERSION)
@Plural("scannergroups")
@ShortNames("sgrp")
@AdditionalPrinterColumn(name = "DISPLAY", jsonPath = ".spec.displayName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "MEMBERS", jsonPath = ".status.memberCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "ENABLED", jsonPath = ".status.enabledMembers", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "ACTIVE", jsonPath = ".status.activeMembers", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ScannerGroup extends CustomResource<ScannerGroupSpec, ScannerGroupStatus> implements Namespaced {
    @Override
    protected ScannerGroupSpec initSpec() {
        return new ScannerGroupSpec();
    }

    @Override
    protected ScannerGroupStatus initStatus() {
        return new ScannerGroupStatus();
    }
}
