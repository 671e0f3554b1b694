package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.Condition;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.validation.FieldError;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The operator's "no": a request or an agent call that the domain refuses, with the kind of refusal,
 * a machine-readable {@code code} (e.g. TOKEN_INVALID, NAME_TAKEN), a detail for people and the
 * fields at fault. Thrown by features (binding, credentials, distribution, the caches) and reported
 * by reconcilers in conditions; only the HTTP layer ({@code api}) turns a kind into a status code
 * and the refusal into {@code application/problem+json}. Messages must never contain a token or an
 * API key.
 */
public class Refusal extends RuntimeException {

    /** What kind of "no" this is; the HTTP layer maps each to one status code. */
    public enum Kind {
        /** The input breaks a rule (field errors say which). */
        INVALID("Invalid request"),
        /** The caller could not be identified (no, a wrong, a used or an expired credential). */
        UNAUTHENTICATED("Unauthorized"),
        /** The caller is known but may not do this (access rule, source-address binding). */
        FORBIDDEN("Forbidden"),
        /** The object named does not exist. */
        NOT_FOUND("Not found"),
        /** The object's state does not allow it now, or it changed meanwhile. */
        CONFLICT("Conflict"),
        /** The input is bigger than allowed. */
        TOO_LARGE("Payload too large"),
        /** The operator's own settings make it impossible. */
        MISCONFIGURED("Misconfigured"),
        /** Something the operator depends on is not available yet; retrying later may succeed. */
        UNAVAILABLE("Service unavailable");

        private final String summary;

        Kind(String summary) {
            this.summary = summary;
        }

        /** A short summary for people, the same for every refusal of this kind. */
        public String summary() {
            return summary;
        }
    }

    private final Kind kind;
    private final String code;
    private final String summary;
    private final List<FieldError> errors;

    public Refusal(Kind kind, String code, String summary, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.kind = kind;
        this.code = code;
        this.summary = summary == null ? kind.summary() : summary;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public Refusal(Kind kind, String code, String detail) {
        this(kind, code, null, detail, List.of());
    }

    /** Field errors: the detail names the first one and how many more there are. */
    public static Refusal invalid(List<FieldError> errors) {
        String detail = errors.isEmpty() ? "The request is not valid." : errors.get(0).message()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
        return new Refusal(Kind.INVALID, "VALIDATION_FAILED", null, detail, errors);
    }

    public static Refusal notFound(String what) {
        return new Refusal(Kind.NOT_FOUND, "NOT_FOUND", what + " does not exist");
    }

    public static Refusal conflict(String code, String detail) {
        return new Refusal(Kind.CONFLICT, code, detail);
    }

    public static Refusal unavailable(String code, String detail) {
        return new Refusal(Kind.UNAVAILABLE, code, detail);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /** The kind's summary, or a more specific one (e.g. "Source address not allowed"). */
    public String summary() {
        return summary;
    }

    public String detail() {
        return getMessage();
    }

    public List<FieldError> errors() {
        return errors;
    }

    /**
     * The refusal as a reconciler reports it: a False condition whose reason is the first field
     * error's reason (else the code) and whose message lists every field error (else the detail).
     */
    public Condition asCondition(String type, Long generation) {
        String reason = errors.isEmpty() ? code : errors.get(0).reason();
        String message = errors.isEmpty() ? detail()
                : errors.stream().map(FieldError::message).collect(Collectors.joining("; "));
        return Conditions.of(type, false, reason, message, generation);
    }
}
