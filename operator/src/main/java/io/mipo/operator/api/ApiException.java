package io.mipo.operator.api;

import io.mipo.operator.core.Refusal;
import io.mipo.operator.validation.FieldError;

import java.util.List;

/**
 * A refusal that only the HTTP layer can make (a method not allowed, a media type, a precondition
 * on an ETag, a body too large to read...), with its HTTP status named directly. Everything below
 * {@code api} throws {@link Refusal} instead; {@link #statusOf} gives the status of either, and
 * {@link ProblemMappers} answers both as RFC 9457 {@code application/problem+json}.
 */
public class ApiException extends Refusal {
    private final int status;

    public ApiException(int status, String code, String title, String detail, List<FieldError> errors) {
        super(kindOf(status), code, title, detail, errors);
        this.status = status;
    }

    public ApiException(int status, String code, String title, String detail) {
        this(status, code, title, detail, List.of());
    }

    public static ApiException invalid(List<FieldError> errors) {
        Refusal r = Refusal.invalid(errors);
        return new ApiException(400, r.code(), r.summary(), r.detail(), r.errors());
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

    public String title() {
        return summary();
    }

    /** The HTTP status that answers a refusal: the one named by the HTTP layer, or the kind's. */
    public static int statusOf(Refusal r) {
        if (r instanceof ApiException a) {
            return a.status;
        }
        return switch (r.kind()) {
            case INVALID -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case MISCONFIGURED -> 500;
            case UNAVAILABLE -> 503;
        };
    }

    private static Kind kindOf(int status) {
        return switch (status) {
            case 401 -> Kind.UNAUTHENTICATED;
            case 403 -> Kind.FORBIDDEN;
            case 404 -> Kind.NOT_FOUND;
            case 409, 412 -> Kind.CONFLICT;
            case 413 -> Kind.TOO_LARGE;
            case 503 -> Kind.UNAVAILABLE;
            default -> status >= 500 ? Kind.MISCONFIGURED : Kind.INVALID;
        };
    }
}
