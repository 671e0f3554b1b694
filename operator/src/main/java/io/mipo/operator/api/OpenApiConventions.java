package io.mipo.operator.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of the OpenAPI document (docs/openapi.yaml) that must not depend on how the Java
 * resource classes are named or split: every operation's {@code operationId}, taken from one table
 * keyed by method and path (generated clients name their methods after them, so they are part of
 * the API and never change), and the security each operation needs, decided by its path:
 * <ul>
 *   <li>{@code /api/*}: {@value #BEARER}, a Kubernetes bearer token or the static admin token;</li>
 *   <li>{@code /scanner/heartbeat}, {@code /scanner/assignments}, {@code /scanner/results}:
 *       {@value #AGENT_KEY}, the agent's API key ({@code mipo_sk_…}) issued at registration;</li>
 *   <li>{@code /scanner/register}: none in a header, the provisioning token (or a pod's
 *       ServiceAccount token) is in the body;</li>
 *   <li>{@code /scanner/install}, {@code /scanner/binary/*}: none, they serve public files.</li>
 * </ul>
 * A path missing from the table still gets an id derived from method and path, and
 * OpenApiDocumentTest fails until the table names it.
 */
public class OpenApiConventions implements OASFilter {
    public static final String BEARER = "bearer";
    public static final String AGENT_KEY = "agentKey";

    /** "METHOD path" to operationId. Never change an id: add new ones. */
    public static final Map<String, String> OPERATION_IDS = table(
            "GET /api/config/scanners", "listScanners",
            "POST /api/config/scanners", "createScanner",
            "GET /api/config/scanners/filter-values", "getScannerFilterValues",
            "GET /api/config/scanners/binary-hash", "getAgentBinaryHashes",
            "GET /api/config/scanners/install-script-preview", "previewInstallScript",
            "GET /api/config/scanners/source-code", "getAgentSourceCode",
            "GET /api/config/scanners/{id}", "getScanner",
            "PUT /api/config/scanners/{id}", "updateScanner",
            "PATCH /api/config/scanners/{id}", "changeScannerBinding",
            "DELETE /api/config/scanners/{id}", "deleteScanner",
            "GET /api/config/scanners/{id}/binding", "getScannerBinding",
            "POST /api/config/scanners/{id}/disable", "disableScanner",
            "POST /api/config/scanners/{id}/enable", "enableScanner",
            "POST /api/config/scanners/{id}/regenerate-token", "regenerateScannerToken",
            "POST /api/config/scanners/{id}/release-binding", "releaseScannerBinding",
            "GET /api/config/scanner-groups", "listScannerGroups",
            "POST /api/config/scanner-groups", "createScannerGroup",
            "GET /api/config/scanner-groups/filter-values", "getScannerGroupFilterValues",
            "GET /api/config/scanner-groups/{id}", "getScannerGroup",
            "PUT /api/config/scanner-groups/{id}", "updateScannerGroup",
            "DELETE /api/config/scanner-groups/{id}", "deleteScannerGroup",
            "GET /api/config/scanner-groups/{id}/details", "getScannerGroupDetails",
            "GET /api/scanners", "listScannerHealth",
            "GET /api/admin/scanner-acl", "exportScannerAcl",
            "POST /scanner/register", "registerAgent",
            "POST /scanner/heartbeat", "sendHeartbeat",
            "GET /scanner/assignments", "getAssignments",
            "POST /scanner/results", "reportFindings",
            "POST /scanner/uninstall", "reportAgentUninstalled",
            "GET /scanner/install", "getInstallScript",
            "GET /scanner/binary/{os}/{arch}", "getAgentBundle");

    private static final List<String> AGENT_KEY_PATHS = List.of("/scanner/heartbeat", "/scanner/assignments", "/scanner/results", "/scanner/uninstall");

    /** Path prefix to tag (generated clients group operations by tag), first match wins, and each tag's description. */
    private static final String[][] TAGS = {
            {"/api/config/scanner-groups", "Scanner groups", "Groups of scanners that scan the same targets and share each target's subnet rate limit."},
            {"/api/config/scanners", "Scanners", "The scanner fleet: provisioning, edits, bindings, credentials."},
            {"/api/scanners", "Scanner health", "Every scanner's liveness, agent version and addresses, by name (the UI's health page)."},
            {"/api/admin/scanner-acl", "Scanner ACL", "The scanners' bound source addresses as an allow-list for firewalls and proxies."},
            {"/scanner/register", "Agent enrollment", "How an agent trades its provisioning token for an API key, and reports that it is alive."},
            {"/scanner/heartbeat", "Agent enrollment", null},
            {"/scanner/assignments", "Agent work", "What agents scan and what they found."},
            {"/scanner/results", "Agent work", null},
            {"/scanner/install", "Distribution", "The install script and the agent bundles hosts download; public, like a package mirror."},
            {"/scanner/binary/", "Distribution", null},
    };

    /** Summary and description of operations the resource classes leave undocumented ("METHOD path"). */
    private static final Map<String, String[]> DOCUMENTATION = Map.of(
            "POST /scanner/register", new String[]{"Register an agent",
                    "Trades a provisioning token (mipo_pt_..., from the install command) for the agent's API key; the token is "
                            + "consumed. A pod of a DaemonSet scanner sends its projected ServiceAccount token (audience mipo-scanner) "
                            + "as serviceAccountToken instead. No Authorization header: the token in the body is the credential. "
                            + "Checked against the scanner's binding (403 IP_BINDING_VIOLATION); a bad, expired or used token is 401."},
            "POST /scanner/heartbeat", new String[]{"Send a heartbeat",
                    "Keeps the scanner Active; answers whether it is disabled, the interval to use and the assignments version "
                            + "(fetch GET /scanner/assignments when it changes). Fields the agent does not know are left out."},
            "GET /scanner/install", new String[]{"The install script",
                    "The POSIX shell script the install command pipes into sh. It downloads and verifies the agent bundle, "
                            + "registers with the token given in MIPO_TOKEN and installs a hardened systemd unit."},
            "GET /scanner/binary/{os}/{arch}", new String[]{"An agent bundle",
                    "The agent bundle (a gzip tarball with the agent and its Java runtime) for an operating system and "
                            + "architecture, e.g. linux/amd64; its SHA-256 is in GET /api/config/scanners/binary-hash."},
            "GET /api/admin/scanner-acl", new String[]{"Export the scanner ACL",
                    "Every scanner's bound source address or network, as JSON or in a format firewalls and proxies read: format json (default), nginx, iptables, ip6tables or cloudflare."});

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        securitySchemes(openAPI);
        tags(openAPI);
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> op : path.getValue().getOperations().entrySet()) {
                String key = op.getKey().name() + " " + path.getKey();
                Operation operation = op.getValue();
                operation.setOperationId(OPERATION_IDS.getOrDefault(key, derivedId(op.getKey(), path.getKey())));
                operation.setSecurity(security(path.getKey()));
                problemBodies(operation);
                String tag = tag(path.getKey());
                if (tag != null) {
                    operation.setTags(new ArrayList<>(List.of(tag)));
                }
                String[] doc = DOCUMENTATION.get(key);
                if (doc != null && operation.getDescription() == null) {
                    operation.setSummary(doc[0]);
                    operation.setDescription(doc[1]);
                }
            }
        }
    }

    /**
     * Every error answer (4xx, 5xx) is RFC 9457 problem+json: said here once rather than on each
     * {@code @APIResponse}. The Problem schema is declared in this package's package-info.
     */
    private static void problemBodies(Operation operation) {
        if (operation.getResponses() == null || operation.getResponses().getAPIResponses() == null) {
            return;
        }
        for (Map.Entry<String, APIResponse> r : operation.getResponses().getAPIResponses().entrySet()) {
            if (r.getKey().length() == 3 && r.getKey().charAt(0) >= '4' && r.getValue().getContent() == null) {
                r.getValue().setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem"))));
            }
        }
    }

    private static String tag(String path) {
        for (String[] t : TAGS) {
            if (path.startsWith(t[0])) {
                return t[1];
            }
        }
        return null;
    }

    private static void tags(OpenAPI openAPI) {
        List<org.eclipse.microprofile.openapi.models.tags.Tag> tags = new ArrayList<>();
        for (String[] t : TAGS) {
            if (t[2] != null) {
                tags.add(OASFactory.createTag().name(t[1]).description(t[2]));
            }
        }
        openAPI.setTags(tags);
    }

    /** What a path needs; an empty list says explicitly that the operation needs no credentials. */
    static List<SecurityRequirement> security(String path) {
        List<SecurityRequirement> needs = new ArrayList<>();
        if (path.equals("/api") || path.startsWith("/api/")) {
            needs.add(OASFactory.createSecurityRequirement().addScheme(BEARER));
        } else if (AGENT_KEY_PATHS.contains(path)) {
            needs.add(OASFactory.createSecurityRequirement().addScheme(AGENT_KEY));
        }
        return needs;
    }

    private static void securitySchemes(OpenAPI openAPI) {
        Components components = openAPI.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            openAPI.setComponents(components);
        }
        if (components.getSecuritySchemes() == null || !components.getSecuritySchemes().containsKey(BEARER)) {
            components.addSecurityScheme(BEARER, OASFactory.createSecurityScheme()
                    .type(SecurityScheme.Type.HTTP).scheme("bearer")
                    .description("A Kubernetes bearer token (checked with a TokenReview; each call with a SubjectAccessReview), or the static admin token."));
        }
        components.addSecurityScheme(AGENT_KEY, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("The agent's API key (mipo_sk_...), issued by POST /scanner/register and sent as Authorization: Bearer. "
                        + "Every call is also checked against the scanner's source-address binding (403 IP_BINDING_VIOLATION)."));
    }

    /** Stable and class-independent, but not pretty: postScannerFooBar for POST /scanner/foo-bar. */
    static String derivedId(PathItem.HttpMethod method, String path) {
        StringBuilder id = new StringBuilder(method.name().toLowerCase(Locale.ROOT));
        boolean upper = true;
        for (char c : path.toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                id.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            } else {
                upper = true;
            }
        }
        return id.toString();
    }

    private static Map<String, String> table(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (m.put(pairs[i], pairs[i + 1]) != null) {
                throw new IllegalStateException("duplicate operation " + pairs[i]);
            }
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
