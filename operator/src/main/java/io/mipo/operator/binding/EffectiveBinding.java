package io.mipo.operator.binding;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingStatus;
import io.mipo.operator.validation.BindingRules;
import io.mipo.operator.validation.FieldError;

import java.util.List;

/**
 * What a ScannerBinding means right now: its mode and enforcement with defaults applied, and the
 * value in force — {@code spec.value} when given, else the value learned on first use (kept in
 * status with {@code learnedAt}), else nothing yet (learning). A learned value that no longer fits
 * the mode (the mode was changed) is not in force: the binding learns again.
 */
public record EffectiveBinding(String namespace, String name, String uid, BindingMode mode, Enforcement enforcement,
                               String explicitValue, String boundValue, String learnedAt, List<FieldError> errors) {

    public static EffectiveBinding of(ScannerBinding b) {
        var spec = b.getSpec();
        BindingMode mode = spec == null || spec.getMode() == null ? BindingMode.none : spec.getMode();
        Enforcement enforcement = spec == null || spec.getEnforcement() == null ? Enforcement.Enforce : spec.getEnforcement();
        String explicit = spec == null || spec.getValue() == null || spec.getValue().isBlank() ? null : spec.getValue().trim();
        List<FieldError> errors = BindingRules.check(mode, explicit);
        String bound = null;
        String learnedAt = null;
        if (mode != BindingMode.none && errors.isEmpty()) {
            if (explicit != null) {
                bound = explicit;
            } else {
                ScannerBindingStatus st = b.getStatus();
                if (st != null && st.getLearnedAt() != null && fits(mode, st.getBoundValue())) {
                    bound = st.getBoundValue();
                    learnedAt = st.getLearnedAt();
                }
            }
        }
        return new EffectiveBinding(b.getMetadata().getNamespace(), b.getMetadata().getName(), b.getMetadata().getUid(),
                mode, enforcement, explicit, bound, learnedAt, errors);
    }

    /** True when {@code value} is a non-empty value of the mode's kind. */
    public static boolean fits(BindingMode mode, String value) {
        return value != null && !value.isBlank() && mode != BindingMode.none && BindingRules.check(mode, value).isEmpty();
    }

    public boolean valid() {
        return errors.isEmpty();
    }

    /** A restricting binding with nothing bound yet: the next call's address is learned. */
    public boolean learning() {
        return mode != BindingMode.none && valid() && boundValue == null;
    }

    public boolean learned() {
        return learnedAt != null;
    }

    /** e.g. "ip 203.0.113.7", "subnet (learning)", "none"; what Scanner.status.binding and messages show. */
    public String summary() {
        if (mode == BindingMode.none) {
            return "none";
        }
        String what = !valid() ? mode + " (invalid)" : boundValue == null ? mode + " (learning)" : mode + " " + boundValue;
        return enforcement == Enforcement.Audit ? what + " (audit)" : what;
    }
}
