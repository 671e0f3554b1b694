package io.mipo.operator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.core.Refusal;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/**
 * Turns every error of the REST facade and the ingest API into {@code application/problem+json}.
 * Jackson messages are not echoed verbatim: they can quote the request body, which may hold a token.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    /** A provisioning token or API key pasted into a field must not come back in an error message. */
    private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("mipo_(pt|sk)_[0-9A-Za-z]{4,}");

    static String redact(String s) {
        return s == null ? null : SECRET.matcher(s).replaceAll("mipo_$1_…");
    }

    /** The one place where a refusal becomes an HTTP answer: status, problem document, redaction. */
    public static Response toResponse(Refusal e, String instance) {
        int status = ApiException.statusOf(e);
        List<Problem.FieldProblem> fields = e.errors().stream()
                .map(f -> new Problem.FieldProblem(f.field(), f.reason(), redact(f.message()))).toList();
        Problem p = new Problem("about:blank", e.summary(), status, redact(e.detail()), redact(instance), e.code(), fields);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    /** Refusals of the domain ({@link Refusal}) and of the HTTP layer ({@link ApiException}, a subclass). */
    @ServerExceptionMapper
    public Response refusal(Refusal e, UriInfo uri) {
        return toResponse(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        String field = e.getPropertyName();
        return toResponse(new ApiException(400, "UNKNOWN_FIELD", "Invalid request",
                "field '" + field + "' is not accepted here",
                List.of(new io.mipo.operator.validation.FieldError(field, "UnknownField", "field '" + field + "' is not accepted here"))),
                uri.getPath());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String path = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("")
                : null;
        List<io.mipo.operator.validation.FieldError> errors = path == null || path.isEmpty() ? List.of()
                : List.of(new io.mipo.operator.validation.FieldError(path, "InvalidType", "field '" + path + "' has the wrong type"));
        String detail = path == null || path.isEmpty()
                ? "the body is not valid JSON" + where
                : "field '" + path + "' has the wrong type";
        return toResponse(new ApiException(400, "MALFORMED_JSON", "Invalid request", detail, errors), uri.getPath());
    }

    /** Type mismatches (a string where a number is due): Quarkus' built-in mapper would answer plain JSON. */
    @ServerExceptionMapper
    public Response mismatchedInput(com.fasterxml.jackson.databind.exc.MismatchedInputException e, UriInfo uri) {
        return e instanceof UnrecognizedPropertyException u ? unknownField(u, uri) : badJson(e, uri);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri) {
        return toResponse(new ApiException(404, "NOT_FOUND", "Not found", "no such resource: " + uri.getPath()), uri.getPath());
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, UriInfo uri) {
        return toResponse(new ApiException(405, "METHOD_NOT_ALLOWED", "Method not allowed", "this method is not allowed on " + uri.getPath()), uri.getPath());
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e, UriInfo uri) {
        return toResponse(new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", "send application/json"), uri.getPath());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        // Quarkus' JSON reader wraps syntax errors (JsonParseException) in a 400 WebApplicationException.
        if (e.getCause() instanceof UnrecognizedPropertyException u) {
            return unknownField(u, uri);
        }
        if (e.getCause() instanceof JsonProcessingException j) {
            return badJson(j, uri);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 413) {
            return toResponse(new ApiException(413, "BODY_TOO_LARGE", "Payload too large", "the request body is too large"), uri.getPath());
        }
        return toResponse(new ApiException(status, "HTTP_" + status, "Error", "the request could not be processed"), uri.getPath());
    }

    @ServerExceptionMapper
    public Response kubernetes(KubernetesClientException e, UriInfo uri) {
        if (e.getCode() == 409) {
            return toResponse(ApiException.conflict("CONFLICT", "the resource was changed concurrently; read it again and retry"), uri.getPath());
        }
        if (e.getCode() == 404) {
            return toResponse(ApiException.notFound("the resource"), uri.getPath());
        }
        if (e.getCode() == 422) {
            return toResponse(new ApiException(400, "REJECTED_BY_API_SERVER", "Invalid request",
                    e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : "rejected by the Kubernetes API server"), uri.getPath());
        }
        LOG.errorf("Kubernetes API error %d on %s: %s", e.getCode(), uri.getPath(), e.getStatus() == null ? e.getClass().getSimpleName() : e.getStatus().getReason());
        return toResponse(new ApiException(503, "KUBERNETES_UNAVAILABLE", "Service unavailable", "the Kubernetes API did not answer as expected"), uri.getPath());
    }
}
