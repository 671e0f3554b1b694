package io.mipo.operator.kube;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the printer columns of the generated CRDs in the order they are declared on the model
 * class (NAME, DISPLAY, STATUS, BINDING, RATE, LAST-HEARTBEAT, AGE for Scanners). The fabric8
 * generator sorts them by JSONPath, which would put AGE first. Called by the CRD generator at build
 * time ({@code quarkus.operator-sdk.crd.crd-post-processor-class}); not used at run time.
 */
public class CrdColumnOrder implements CRDPostProcessor {
    private static final String MODEL_PACKAGE = "io.mipo.operator.model.";

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (!(crd instanceof CustomResourceDefinition definition)) {
            return crd;
        }
        List<String> declared = declaredOrder(definition.getSpec().getNames().getKind());
        if (declared.isEmpty()) {
            return crd;
        }
        for (CustomResourceDefinitionVersion v : definition.getSpec().getVersions()) {
            if (v.getAdditionalPrinterColumns() == null) {
                continue;
            }
            List<CustomResourceColumnDefinition> columns = new ArrayList<>(v.getAdditionalPrinterColumns());
            columns.sort(Comparator.comparingInt(c -> {
                int i = declared.indexOf(c.getName());
                return i < 0 ? Integer.MAX_VALUE : i;
            }));
            v.setAdditionalPrinterColumns(columns);
        }
        return crd;
    }

    private static List<String> declaredOrder(String kind) {
        try {
            Class<?> type = Class.forName(MODEL_PACKAGE + kind, false, Thread.currentThread().getContextClassLoader());
            List<String> names = new ArrayList<>();
            for (AdditionalPrinterColumn c : type.getAnnotationsByType(AdditionalPrinterColumn.class)) {
                names.add(c.name());
            }
            return names;
        } catch (ClassNotFoundException e) {
            return List.of();
        }
    }
}
