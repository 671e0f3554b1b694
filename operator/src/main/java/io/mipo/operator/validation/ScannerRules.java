package io.mipo.operator.validation;

import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.model.ValidationPatterns;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The Scanner schema rules, checked by the operator too (an API server may not enforce them all). */
public final class ScannerRules {
    private static final Pattern DISPLAY_NAME = Pattern.compile(ValidationPatterns.DISPLAY_NAME);

    private ScannerRules() {
    }

    public static List<FieldError> check(ScannerSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        if (spec == null) {
            return errors;
        }
        checkDisplayName("spec.displayName", spec.getDisplayName(), errors);
        checkDescription("spec.description", spec.getDescription(), errors);
        checkRate("spec.rateLimit", spec.getRateLimit(), errors);
        if (spec.getDeployment() != null && spec.getDeployment().getDaemonSet() != null
                && spec.getDeployment().getMode() != DeploymentMode.DaemonSet) {
            errors.add(new FieldError("spec.deployment.daemonSet", "DaemonSetWithoutDaemonSetMode",
                    "spec.deployment.daemonSet is only allowed with mode DaemonSet"));
        }
        return errors;
    }

    public static void checkDisplayName(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (value.length() > 63 || !DISPLAY_NAME.matcher(value).matches()) {
            errors.add(new FieldError(field, "InvalidDisplayName",
                    field + " must be 1-63 letters, digits or inner hyphens (got '" + Texts.abbreviate(value) + "')"));
        }
    }

    public static void checkDescription(String field, String value, List<FieldError> errors) {
        if (value != null && value.length() > ValidationPatterns.MAX_DESCRIPTION) {
            errors.add(new FieldError(field, "DescriptionTooLong",
                    field + " has " + value.length() + " characters; at most " + ValidationPatterns.MAX_DESCRIPTION + " are allowed"));
        }
    }

    public static void checkRate(String field, Integer value, List<FieldError> errors) {
        if (value != null && (value < 0 || value > ValidationPatterns.MAX_RATE)) {
            errors.add(new FieldError(field, "RateLimitOutOfRange",
                    field + " must be between 0 and " + ValidationPatterns.MAX_RATE + " (got " + value + ")"));
        }
    }

}
