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

/** Restricts the source address of the Scanner of the same name. */
@JsonClassDescription("Restricts the source address the Scanner of the same name may connect from: an IP address, a subnet or an autonomous system, enforced (403) or audited. An empty spec.value is learned from the scanner's first registration (trust on first use).")
@Categories("mipo")
@Group(Scanner.GROUP)
@Version(Scanner.VERSION)
@Plural("scannerbindings")
@ShortNames("sbind")
@AdditionalPrinterColumn(name = "MODE", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "BOUND", jsonPath = ".status.boundValue", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ENFORCEMENT", jsonPath = ".spec.enforcement", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "MISMATCHES", jsonPath = ".status.mismatchCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "LAST-SEEN", jsonPath = ".status.lastSeenAddress", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ScannerBinding extends CustomResource<ScannerBindingSpec, ScannerBindingStatus> implements Namespaced {
    @Override
    protected ScannerBindingSpec initSpec() {
        return new ScannerBindingSpec();
    }

    @Override
    protected ScannerBindingStatus initStatus() {
        return new ScannerBindingStatus();
    }
}
