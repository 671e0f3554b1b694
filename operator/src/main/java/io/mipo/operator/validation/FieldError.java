package io.mipo.operator.validation;

/**
 * One broken rule: the field's path (as in the CRD, e.g. {@code spec.rateLimit}), a CamelCase
 * reason usable as a condition reason, and a message for people.
 */
public record FieldError(String field, String reason, String message) {
}
