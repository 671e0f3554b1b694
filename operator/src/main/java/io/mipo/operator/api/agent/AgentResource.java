package io.mipo.operator.api.agent;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import io.mipo.operator.core.AgentCallGuard;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.credentials.Enrollment;
import io.mipo.operator.credentials.PodEnrollment;
import io.mipo.operator.credentials.RegisteredAgent;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.distribution.AgentVersionPolicy;
import io.mipo.operator.liveness.AgentReport;
import io.mipo.operator.liveness.InstancesStatusContributor;
import io.mipo.operator.liveness.Liveness;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.net.IpAddresses;
import io.vertx.core.http.HttpServerRequest;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent API's enrollment and liveness calls (docs/api.md#agent-ingest-api). Other {@code /scanner/*} calls live in
 * their own resource classes under the same {@code @Path("/scanner")}, authenticated with
 * {@link AgentAuthenticator}.
 *
 * <p>Bodies are read as bytes and parsed here, so that the size bound is ours (16 KiB) rather than
 * the global one, and unknown fields from newer agents are ignored.
 */
@Path("/scanner")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
@Startup
public class AgentResource {
    private static final String METRIC_REGISTRATIONS = "mipo.registrations";

    @Inject
    Enrollment enrollment;

    @Inject
    AgentAuthenticator authenticator;

    @Inject
    PodEnrollment podEnrollment;

    @Inject
    AgentClientAddress clientAddress;

    @Inject
    Liveness liveness;

    @Inject
    ReconcileTrigger scanners;

    @Inject
    MipoConfig config;

    @Inject
    io.mipo.operator.group.AssignmentContributor allAssignments;

    @Inject
    ObjectMapper mapper;

    @Inject
    AgentVersionPolicy versions;

    @Inject
    io.mipo.operator.distribution.AutoUpgrades autoUpgrades;

    @Inject
    MeterRegistry registry;

    Clock clock = Clock.systemUTC();

    private ObjectReader registerReader;
    private HeartbeatRequestReader heartbeatReader;
    private final Map<String, Counter> registrations = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        registerReader = mapper.readerFor(AgentMessages.RegisterRequest.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        heartbeatReader = new HeartbeatRequestReader(mapper);
        // The heartbeat reaches these beans directly rather than through their client proxies, which
        // look the bean up in its context on every call; application-scoped beans live as long as this one.
        authenticator = ClientProxy.unwrap(authenticator);
        clientAddress = ClientProxy.unwrap(clientAddress);
        liveness = ClientProxy.unwrap(liveness);
        scanners = ClientProxy.unwrap(scanners);
        allAssignments = ClientProxy.unwrap(allAssignments);
        versions = ClientProxy.unwrap(versions);
        autoUpgrades = ClientProxy.unwrap(autoUpgrades);
        for (String result : new String[] {"success", "token_invalid", "token_expired", "token_used"}) {
            count(result, 0); // present from the start, so that rates can be computed
        }
    }

    @POST
    @Path("register")
    public AgentMessages.RegisterResponse register(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = AgentMessages.RegisterRequest.class))) byte[] body, @Context HttpServerRequest request) throws IOException {
        try {
            AgentRequestLimits.checkSize(body);
            AgentMessages.RegisterRequest r = body == null || body.length == 0
                    ? new AgentMessages.RegisterRequest(null, null, null, null, null, null, null, null)
                    : objectBody(registerReader.<AgentMessages.RegisterRequest>readValue(body));
            AgentRequestLimits.check(r);
            refuseOutdated(r.version());
            Optional<InetAddress> client = clientAddress.of(request);
            if (r.inCluster()) {
                return registerPod(r, client);
            }
            ScannerRef ref = enrollment.identify(r.token(), r.registrationId());
            if (!authenticator.ownedByScannerForRegistration(ref)) {
                throw new io.mipo.operator.core.Refusal(io.mipo.operator.core.Refusal.Kind.UNAUTHENTICATED, Enrollment.TOKEN_INVALID,
                        "the provisioning token is not valid");
            }
            authenticator.guard(ref, client.orElse(null), AgentCallGuard.Call.REGISTER);
            String source = client.map(IpAddresses::format).orElse(null);
            RegisteredAgent agent = new RegisteredAgent(r.version(), r.hostname(), r.os(), r.arch(),
                    blankToNull(r.internalIp()), source);
            Enrollment.Enrolled enrolled = enrollment.consume(ref, r.token(), agent, r.registrationId());
            liveness.registered(ref, enrolled.registeredAt(), r.version(), r.hostname(), blankToNull(r.internalIp()), source);
            count("success");
            return new AgentMessages.RegisterResponse(ref.name(), enrolled.apiKey(), intervalSeconds());
        } catch (Refusal e) {
            count(e.kind() == Refusal.Kind.UNAUTHENTICATED ? e.code().toLowerCase(Locale.ROOT)
                    : e.kind() == Refusal.Kind.FORBIDDEN ? "forbidden" : "rejected");
            throw e;
        } catch (IOException | RuntimeException e) {
            count(e instanceof IOException ? "rejected" : "error");
            throw e;
        }
    }

    /** A pod of a DaemonSet scanner, identified by its ServiceAccount token instead of a provisioning token. */
    private AgentMessages.RegisterResponse registerPod(AgentMessages.RegisterRequest r, Optional<InetAddress> client) {
        PodEnrollment.VerifiedPod pod = podEnrollment.verify(r.serviceAccountToken());
        authenticator.guard(pod.ref(), client.orElse(null), AgentCallGuard.Call.REGISTER);
        String source = client.map(IpAddresses::format).orElse(null);
        RegisteredAgent agent = new RegisteredAgent(r.version(), r.hostname(), r.os(), r.arch(), blankToNull(r.internalIp()), source);
        PodEnrollment.Enrolled enrolled = podEnrollment.issue(pod, agent);
        liveness.registered(pod.ref(), enrolled.registeredAt(), r.version(), r.hostname(), blankToNull(r.internalIp()), source);
        liveness.instanceSeen(InstancesStatusContributor.instanceRef(pod.ref(), enrolled.pod()), enrolled.registeredAt().toEpochMilli(),
                r.version(), r.hostname(), blankToNull(r.internalIp()), source);
        count("success");
        return new AgentMessages.RegisterResponse(pod.ref().name(), enrolled.apiKey(), intervalSeconds());
    }

    /**
     * Runs on the event loop: every step is in memory (the credential and binding indexes, the
     * fleet cache, the heartbeat ledger), so a heartbeat costs no hop to a worker thread. The rare
     * call that needs a blocking step (a key this replica has not learned yet, a binding learning its
     * value) is answered from a worker thread instead ({@link AgentAuthenticator#callerWithoutBlocking}).
     */
    @POST
    @Path("heartbeat")
    @NonBlocking
    public Uni<AgentMessages.HeartbeatResponse> heartbeat(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = AgentMessages.HeartbeatRequest.class))) byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                                     @Context HttpServerRequest request) throws IOException {
        Optional<InetAddress> client = clientAddress.of(request);
        String hint = request.getHeader(io.mipo.operator.credentials.LateRegistrations.SCANNER_HEADER);
        Optional<AgentAuthenticator.Caller> caller = authenticator.callerWithoutBlocking(authorization, hint, client.orElse(null),
                AgentCallGuard.Call.HEARTBEAT);
        if (caller.isPresent()) {
            return Uni.createFrom().item(heartbeat(caller.get(), body, client));
        }
        return Uni.createFrom().deferred(() -> {
            try {
                return Uni.createFrom().item(heartbeat(authenticator.caller(authorization, hint, client.orElse(null),
                        AgentCallGuard.Call.HEARTBEAT), body, client));
            } catch (IOException e) {
                return Uni.createFrom().failure(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private AgentMessages.HeartbeatResponse heartbeat(AgentAuthenticator.Caller caller, byte[] body, Optional<InetAddress> client) throws IOException {
        ScannerRef ref = caller.ref();
        AgentRequestLimits.checkSize(body);
        AgentMessages.HeartbeatRequest r = body == null || body.length == 0
                ? new AgentMessages.HeartbeatRequest(null, null, null, null, null, null)
                : objectBody(heartbeatReader.read(body));
        AgentRequestLimits.check(r);
        refuseOutdated(r.version());
        String source = client.map(IpAddresses::format).orElse(null);
        caller.pod().ifPresent(pod -> liveness.instanceSeen(InstancesStatusContributor.instanceRef(ref, pod.pod()),
                clock.millis(), r.version(), r.hostname(), blankToNull(r.internalIp()), source));
        liveness.heartbeat(ref, r.version(), r.hostname(), blankToNull(r.internalIp()), source,
                new AgentReport(r.capabilities() == null ? null : List.copyOf(r.capabilities()), r.metrics(), r.state(), clock.instant()));
        Scanner scanner = caller.scanner() != null ? caller.scanner() : scanners.scanner(ref).orElse(null);
        boolean disabled = scanner != null && Boolean.TRUE.equals(scanner.getSpec().getDisabled());
        return new AgentMessages.HeartbeatResponse(disabled, intervalSeconds(), AgentWork.version(scanner, allAssignments.all(scanner)),
                versions.servedVersion().orElse(null), versions.minimumVersion().orElse(null),
                autoUpgrades.upgradeTo(scanner, r.version()).orElse(null));
    }

    /** 426 AGENT_OUTDATED for an agent below the minimum version (docs/operations.md, "Version skew policy"). */
    private void refuseOutdated(String agentVersion) {
        versions.tooOld(agentVersion).ifPresent(detail -> {
            throw new ApiException(426, "AGENT_OUTDATED", "Upgrade required", detail);
        });
    }

    private long intervalSeconds() {
        return Math.max(1, config.liveness().heartbeatInterval().toSeconds());
    }

    private void count(String result) {
        count(result, 1);
    }

    private void count(String result, int n) {
        registrations.computeIfAbsent(result, r -> Counter.builder(METRIC_REGISTRATIONS)
                .description("Agent registrations by result").tag("result", r).register(registry)).increment(n);
    }

    /** A body of JSON {@code null} binds to no object: refused like any other body that is not an object. */
    private static <T> T objectBody(T request) {
        if (request == null) {
            throw new ApiException(400, "MALFORMED_JSON", "Invalid request", "the body must be a JSON object");
        }
        return request;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
