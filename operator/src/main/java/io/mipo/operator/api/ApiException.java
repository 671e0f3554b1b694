package io.mipo.operator.api;

import io.mipo.operator.validation.FieldError;

import java.util.List;

/**
 * An error answered as RFC 9457 {@code application/problem+json}: HTTP status, a machine-readable
 * {@code code} (e.g. TOKEN_INVALID, NAME_TAKEN), a title, a detail, and per-field errors. Messages
 * must never contain a token or an API key.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String title;
    private final List<FieldError> errors;

    public ApiException(int status, String code, String title, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public ApiException(int status, String code, String title, String detail) {
        this(status, code, title, detail, List.of());
    }

    public static ApiException invalid(List<FieldError> errors) {
        String detail = errors.isEmpty() ? "The request is not valid." : errors.get(0).message()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
        return new ApiException(400, "VALIDATION_FAILED", "Invalid request", detail, errors);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "NOT_FOUND", "Not found", what + " does not exist");
    }

    public static ApiException conflict(String code, String detail) {
        return new ApiException(409, code, "Conflict", detail);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public List<FieldError> errors() {
        return errors;
    }
}
