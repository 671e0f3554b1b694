package io.mipo.operator.api.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import jakarta.inject.Inject;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Writes the heartbeat answer, the agent API's most frequent one, as one buffer: the same JSON
 * the application's {@link ObjectMapper} makes (same fields, same {@code @JsonInclude}), from a
 * writer bound to the type once, handed to the response in one call instead of through the
 * generic Jackson writer's output stream (which looked up the writer and copied the bytes through
 * a blocking-capable stream on every heartbeat: a sixth of the heartbeat's CPU in the profile of
 * docs/benchmarks.md).
 */
@Provider
@Produces(MediaType.APPLICATION_JSON)
public class HeartbeatResponseWriter implements ServerMessageBodyWriter<AgentMessages.HeartbeatResponse> {

    @Inject
    ObjectMapper mapper;

    private volatile ObjectWriter writer;

    private ObjectWriter writer() {
        ObjectWriter w = writer;
        if (w == null) {
            w = mapper.writerFor(AgentMessages.HeartbeatResponse.class);
            writer = w;
        }
        return w;
    }

    /** The answer's bytes, exactly what is sent. */
    byte[] bytes(AgentMessages.HeartbeatResponse response) throws IOException {
        return writer().writeValueAsBytes(response);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return type == AgentMessages.HeartbeatResponse.class;
    }

    @Override
    public void writeResponse(AgentMessages.HeartbeatResponse response, Type genericType, ServerRequestContext context)
            throws WebApplicationException, IOException {
        context.serverResponse().end(bytes(response));
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == AgentMessages.HeartbeatResponse.class;
    }

    @Override
    public void writeTo(AgentMessages.HeartbeatResponse response, Class<?> type, Type genericType, Annotation[] annotations,
                        MediaType mediaType, MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream)
            throws IOException, WebApplicationException {
        entityStream.write(bytes(response));
    }
}
