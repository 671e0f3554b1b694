package io.mipo.operator.validation;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.ValidationPatterns;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.net.IpAddresses;

import java.util.ArrayList;
import java.util.List;

/** A binding value must fit its mode; an empty value means "learn on first use". */
public final class BindingRules {
    private BindingRules() {
    }

    public static List<FieldError> check(BindingMode mode, String value) {
        return check("spec.value", mode, value);
    }

    public static List<FieldError> check(String field, BindingMode mode, String value) {
        List<FieldError> errors = new ArrayList<>();
        BindingMode m = mode == null ? BindingMode.none : mode;
        if (value == null || value.isEmpty()) {
            return errors;
        }
        switch (m) {
            case none -> errors.add(new FieldError(field, "ValueWithModeNone", field + " must be empty when the mode is none"));
            case ip -> {
                if (!IpAddresses.isValid(value)) {
                    errors.add(new FieldError(field, "InvalidAddress", field + " '" + Texts.abbreviate(value) + "' is not an IPv4 or IPv6 address"));
                }
            }
            case subnet -> {
                if (!Cidr.isValid(value)) {
                    errors.add(new FieldError(field, "InvalidSubnet", field + " '" + Texts.abbreviate(value) + "' is not a CIDR such as 203.0.113.0/24"));
                }
            }
            case asn -> {
                if (parseAsn(value) < 0) {
                    errors.add(new FieldError(field, "InvalidAsn", field + " '" + Texts.abbreviate(value) + "' is not an AS number such as AS64500 or 64500"));
                }
            }
            default -> { }
        }
        return errors;
    }

    /** The AS number of "AS64500" or "64500", or -1 when it is not one (32-bit range). */
    public static long parseAsn(String value) {
        if (value == null || !value.matches(ValidationPatterns.ASN)) {
            return -1;
        }
        String digits = value.replaceFirst("^(AS|as)", "");
        long n = Long.parseLong(digits);
        return n <= 0xFFFFFFFFL ? n : -1;
    }
}
