package io.mipo.operator.validation;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.net.Cidr;

import java.util.ArrayList;
import java.util.List;

public final class GroupRules {
    private GroupRules() {
    }

    public static List<FieldError> check(ScannerGroupSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        if (spec == null) {
            return errors;
        }
        ScannerRules.checkDisplayName("spec.displayName", spec.getDisplayName(), errors);
        ScannerRules.checkDescription("spec.description", spec.getDescription(), errors);
        checkSelector("spec.selector", spec.getSelector(), errors);
        if (spec.getTargets() != null) {
            for (int i = 0; i < spec.getTargets().size(); i++) {
                checkTarget("spec.targets[" + i + "]", spec.getTargets().get(i), errors);
            }
        }
        return errors;
    }

    /** A selector the operator cannot evaluate would silently select nothing: say so instead. */
    public static void checkSelector(String path, LabelSelector selector, List<FieldError> errors) {
        if (selector == null || selector.getMatchExpressions() == null) {
            return;
        }
        for (int i = 0; i < selector.getMatchExpressions().size(); i++) {
            LabelSelectorRequirement r = selector.getMatchExpressions().get(i);
            String at = path + ".matchExpressions[" + i + "]";
            String op = r == null ? null : r.getOperator();
            boolean hasValues = r != null && r.getValues() != null && !r.getValues().isEmpty();
            if (op == null || !List.of("In", "NotIn", "Exists", "DoesNotExist").contains(op)) {
                errors.add(new FieldError(at + ".operator", "InvalidSelector",
                        at + ".operator must be In, NotIn, Exists or DoesNotExist (got '" + op + "')"));
            } else if ((op.equals("In") || op.equals("NotIn")) && !hasValues) {
                errors.add(new FieldError(at + ".values", "InvalidSelector", at + ".values must not be empty with operator " + op));
            } else if ((op.equals("Exists") || op.equals("DoesNotExist")) && hasValues) {
                errors.add(new FieldError(at + ".values", "InvalidSelector", at + ".values must be empty with operator " + op));
            }
        }
    }

    public static void checkTarget(String path, GroupTarget t, List<FieldError> errors) {
        if (t == null) {
            errors.add(new FieldError(path, "MissingTarget", path + " is empty"));
            return;
        }
        if (t.getSubnet() == null || t.getSubnet().isBlank()) {
            errors.add(new FieldError(path + ".subnet", "MissingSubnet", path + ".subnet is required"));
        } else if (!Cidr.isValid(t.getSubnet())) {
            errors.add(new FieldError(path + ".subnet", "InvalidSubnet",
                    path + ".subnet '" + Texts.abbreviate(t.getSubnet()) + "' is not a CIDR such as 10.0.0.0/24"));
        }
        if (t.getPorts() != null && !t.getPorts().isEmpty()) {
            try {
                PortList.parse(t.getPorts());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(path + ".ports", "InvalidPorts", path + ".ports: " + e.getMessage()));
            }
        }
        ScannerRules.checkRate(path + ".rateLimit", t.getRateLimit(), errors);
        ScannerRules.checkRate(path + ".portListRateLimit", t.getPortListRateLimit(), errors);
    }
}
