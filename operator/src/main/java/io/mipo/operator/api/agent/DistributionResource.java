package io.mipo.operator.api.agent;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.AgentCallGuard;
import io.mipo.operator.api.PublicUrl;
import io.mipo.operator.distribution.BundleDistribution;
import jakarta.inject.Inject;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;

import java.util.Set;

/**
 * The unauthenticated part of the ingest API: the install script and the agent bundles. Neither
 * holds a secret; the script embeds the bundle's SHA-256 and verifies the download before it
 * installs anything. An installed agent's upgrade sends its API key with the download; a key that
 * is sent must be valid (401 otherwise), so a revoked host cannot upgrade.
 */
@Path("/scanner")
public class DistributionResource {
    /** Platforms an agent could exist for; anything else is a malformed request (400). */
    static final Set<String> KNOWN_OS = Set.of("linux", "darwin", "windows", "freebsd");
    static final Set<String> KNOWN_ARCH = Set.of("amd64", "arm64", "386", "arm");

    @Inject
    BundleDistribution distribution;

    @Inject
    PublicUrl publicUrl;

    @Inject
    AgentAuthenticator authenticator;

    @Inject
    AgentClientAddress clientAddress;

    @GET
    @Path("/install")
    @Produces("text/x-shellscript")
    public Response install(@Context UriInfo uri) {
        String script = distribution.installScript(publicUrl.baseUrl(uri), null);
        return Response.ok(script).type("text/x-shellscript; charset=utf-8")
                .header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("/binary/{os}/{arch}")
    @Produces("application/gzip")
    public Response binary(@PathParam("os") String os, @PathParam("arch") String arch,
                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest request) {
        if (authorization != null) {
            // an installed agent upgrading itself sends its API key: it must be valid (and the binding hold)
            authenticator.authenticate(authorization, clientAddress.of(request).orElse(null), AgentCallGuard.Call.DOWNLOAD);
        }
        if (!KNOWN_OS.contains(os) || !KNOWN_ARCH.contains(arch)) {
            throw new ApiException(400, "UNKNOWN_PLATFORM", "Invalid request",
                    "unknown platform '" + printable(os) + "/" + printable(arch) + "'; known: os " + KNOWN_OS + ", arch " + KNOWN_ARCH);
        }
        BundleDistribution.Bundle bundle = distribution.bundle(os, arch).orElseThrow(() -> new ApiException(404, "NO_BUNDLE",
                "Not found", "there is no agent bundle for " + os + "/" + arch + " yet; bundles exist for: "
                + distribution.hashes().artifacts().stream().map(a -> a.os() + "/" + a.arch()).toList()));
        return Response.ok(bundle.file().toFile(), "application/gzip")
                .header("Content-Disposition", "attachment; filename=\"" + bundle.file().getFileName() + "\"")
                .header("X-Checksum-Sha256", bundle.sha256())
                .header("Content-Length", bundle.size())
                .build();
    }

    private static String printable(String s) {
        String clean = s.replaceAll("[^A-Za-z0-9_.-]", "?");
        return clean.length() > 20 ? clean.substring(0, 20) + "…" : clean;
    }
}
