package io.mipo.operator.api.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.AgentCallGuard;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Times;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.distribution.AgentLifecycleStatusContributor;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /scanner/uninstall}: the agent's uninstaller says it is going away. The Scanner is
 * annotated {@code mipo.io/uninstalled-at} (its status then shows Offline with reason Uninstalled)
 * and its token and API key are revoked, so the key cannot be used again. The Scanner itself stays:
 * deleting it is the administrator's call; regenerating its token and installing again brings it back.
 */
@Path("/scanner")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Agent uninstall", description = "An agent's uninstaller telling the operator it is going away (docs/api.md).")
public class AgentUninstallResource {
    private static final Logger LOG = Logger.getLogger(AgentUninstallResource.class);

    @Inject
    AgentAuthenticator authenticator;

    @Inject
    AgentClientAddress clientAddress;

    @Inject
    ReconcileTrigger scanners;

    @Inject
    CredentialService credentials;

    @Inject
    KubernetesClient client;

    Clock clock = Clock.systemUTC();

    /** What the call answers. */
    public record UninstallResponse(String scannerId, String uninstalledAt) {
    }

    @POST
    @Path("uninstall")
    @Operation(summary = "The agent was uninstalled from its host", description = "Authenticated with the API key (Authorization: Bearer mipo_sk_...);"
            + " the body ({hostname?}) is optional. The scanner shows Offline with the Registered condition False, reason Uninstalled,"
            + " and its token and API key are revoked; the Scanner itself stays (deleting it is the administrator's call).")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = UninstallResponse.class)))
    @APIResponse(responseCode = "401", description = "INVALID_API_KEY (also when the agent was uninstalled already).")
    @APIResponse(responseCode = "403", description = "IP_BINDING_VIOLATION.")
    @APIResponse(responseCode = "409", description = "IN_CLUSTER_SCANNER: a DaemonSet pod's key.")
    public UninstallResponse uninstall(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                       @Context HttpServerRequest request) {
        Optional<InetAddress> address = clientAddress.of(request);
        ScannerRef ref = authenticator.authenticate(authorization, address.orElse(null), AgentCallGuard.Call.UNINSTALL);
        AgentRequestLimits.checkSize(body);
        if (authenticator.instance(authorization).isPresent()) {
            throw new ApiException(409, "IN_CLUSTER_SCANNER", "Conflict",
                    "a pod of a DaemonSet scanner is not uninstalled from its host: delete the Scanner or change its nodeSelector");
        }
        Scanner scanner = scanners.scanner(ref)
                .or(() -> Optional.ofNullable(client.resources(Scanner.class).inNamespace(ref.namespace()).withName(ref.name()).get()))
                .orElseThrow(() -> ApiException.notFound("scanner " + ref.name()));
        String at = Times.format(clock.instant());
        try {
            client.resources(Scanner.class).inNamespace(ref.namespace()).withName(ref.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), io.fabric8.kubernetes.client.utils.Serialization.asJson(
                            Map.of("metadata", Map.of("annotations", Map.of(AgentLifecycleStatusContributor.UNINSTALLED_AT, at)))));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw ApiException.notFound("scanner " + ref.name());
            }
            throw e;
        }
        credentials.revokeAll(scanner);
        scanners.fire(ref);
        LOG.infof("Scanner %s: the agent was uninstalled from its host%s; its API key is revoked", ref,
                address.map(a -> " (" + a.getHostAddress() + ")").orElse(""));
        return new UninstallResponse(ref.name(), at);
    }
}
