package io.mipo.operator.api.admin;

import io.mipo.operator.api.auth.CurrentUser;
import io.mipo.operator.api.auth.RequiresAccess;
import io.mipo.operator.binding.AclFormat;
import io.mipo.operator.binding.BindingIndex;
import io.mipo.operator.binding.LiveAsnDatabase;
import io.mipo.operator.binding.ScannerAcl;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.Times;
import io.mipo.operator.validation.FieldError;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/admin/scanner-acl?format=json|nginx|iptables|ip6tables|cloudflare}: the
 * allow-list of every bound scanner address, subnet and AS in the caller's namespace, for customer
 * firewalls. Needs {@code list} on {@code scannerbindings}.
 */
@Path("/api/admin/scanner-acl")
public class ScannerAclResource {
    public static final String SKIPPED_HEADER = "Mipo-Acl-Skipped";

    @Inject
    BindingIndex index;

    @Inject
    LiveAsnDatabase asn;

    @Inject
    Instance<CurrentUser> currentUser;

    @GET
    @RequiresAccess(verb = "list", resource = "scannerbindings")
    public Response acl(@QueryParam("format") String format) {
        AclFormat f = AclFormat.parse(format).orElseThrow(() -> Refusal.invalid(List.of(new FieldError("format",
                "UnknownFormat", "format must be one of json, nginx, iptables, ip6tables, cloudflare"))));
        String namespace = namespace();
        ScannerAcl acl = ScannerAcl.build(namespace, Times.format(Instant.now()),
                index.bindings(namespace).toList(), asn.current());
        Response.ResponseBuilder r = switch (f) {
            case JSON -> Response.ok(acl);
            case NGINX -> Response.ok(AclFormat.nginx(acl));
            case IPTABLES -> Response.ok(AclFormat.iptables(acl, false));
            case IP6TABLES -> Response.ok(AclFormat.iptables(acl, true));
            case CLOUDFLARE -> {
                var ok = Response.ok(AclFormat.cloudflare(acl));
                if (!acl.unexpandedAsns().isEmpty()) {
                    ok.header(SKIPPED_HEADER, AclFormat.skippedAsns(acl));
                }
                yield ok;
            }
        };
        return r.type(f.mediaType() + (f.mediaType().startsWith("text/") ? "; charset=utf-8" : "")).build();
    }

    /**
     * The namespace of the caller (set by the facade's authentication filter). Without that bean —
     * a build without the facade — every watched namespace is listed.
     */
    private String namespace() {
        if (currentUser.isResolvable()) {
            return currentUser.get().namespace();
        }
        return null;
    }
}
