package io.mipo.operator.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Conditional GET for the {@link Revalidated} reads: the ETag is a hash of the exact bytes of the
 * answer (so it changes exactly when the answer does: a new row, a changed status, another page),
 * and an {@code If-None-Match} naming it gets 304 Not Modified with no body. The answer is still
 * computed (from the informer cache, cheaply); what is saved is the transfer and the client's work.
 */
@Provider
@Revalidated
public class RevalidationFilter implements ContainerResponseFilter {
    @Inject
    ObjectMapper mapper;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() != 200 || !"GET".equals(request.getMethod()) || !response.hasEntity()) {
            return;
        }
        byte[] body;
        Object entity = response.getEntity();
        if (entity instanceof byte[] bytes) {
            body = bytes;
        } else {
            try {
                body = mapper.writeValueAsBytes(entity);
            } catch (JsonProcessingException e) {
                return; // let the writer report it
            }
            response.setEntity(body, null, response.getMediaType());
        }
        String tag = tag(body);
        response.getHeaders().putSingle(HttpHeaders.ETAG, tag);
        response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-cache");
        String ifNoneMatch = request.getHeaderString(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && matches(ifNoneMatch, tag)) {
            response.setStatus(304);
            response.setEntity(null);
        }
    }

    static String tag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"l" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 9110 If-None-Match: weak comparison, "*" matches any. */
    static boolean matches(String ifNoneMatch, String tag) {
        for (String raw : ifNoneMatch.split(",")) {
            String t = raw.trim();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(tag)) {
                return true;
            }
        }
        return false;
    }
}
