package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/*
 * The CEL rules check the value's shape per mode; the operator checks the exact syntax (a real
 * address parser) and reports Valid=False, because CEL's ip/cidr functions need Kubernetes 1.31+.
 */
@JsonClassDescription("How the scanner's source address is restricted.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.value) || self.value == '' || (has(self.mode) && self.mode != 'none')",
        message = "value must be empty when mode is none", reason = "FieldValueInvalid", fieldPath = ".value")
@ValidationRule(value = "!has(self.value) || self.value == '' || !has(self.mode) || self.mode != 'asn' || self.value.matches('" + ValidationPatterns.ASN + "')",
        message = "an asn value looks like AS64500 or 64500", reason = "FieldValueInvalid", fieldPath = ".value")
@ValidationRule(value = "!has(self.value) || self.value == '' || !has(self.mode) || self.mode != 'ip' || self.value.matches('" + ValidationPatterns.IP + "')",
        message = "an ip value is a single IPv4 or IPv6 address", reason = "FieldValueInvalid", fieldPath = ".value")
@ValidationRule(value = "!has(self.value) || self.value == '' || !has(self.mode) || self.mode != 'subnet' || self.value.matches('" + ValidationPatterns.SUBNET + "')",
        message = "a subnet value is a CIDR such as 203.0.113.0/24", reason = "FieldValueInvalid", fieldPath = ".value")
public class ScannerBindingSpec {
    @Default("none")
    @JsonPropertyDescription("ip, subnet, asn or none.")
    private BindingMode mode;

    @Size(max = 64)
    @JsonPropertyDescription("The address, CIDR or AS number. Empty: learn it from the scanner's first registration (trust on first use).")
    private String value;

    @Default("Enforce")
    @JsonPropertyDescription("Enforce rejects non-matching connections with 403; Audit accepts and counts them.")
    private Enforcement enforcement;

    public BindingMode getMode() {
        return mode;
    }

    public void setMode(BindingMode mode) {
        this.mode = mode;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    public Enforcement getEnforcement() {
        return enforcement;
    }

    public void setEnforcement(Enforcement enforcement) {
        this.enforcement = enforcement;
    }
}
