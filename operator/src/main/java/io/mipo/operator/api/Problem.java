package io.mipo.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** The RFC 9457 problem document, with mipo's {@code code} and per-field {@code errors}. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, String code,
                      List<FieldProblem> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid field: its JSON path in the request, a machine-readable reason, and a message. */
    public record FieldProblem(String field, String reason, String message) {
    }
}
