package io.mipo.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The served OpenAPI document (the one docs/openapi.yaml is checked against): every operation has a
 * unique operationId from OpenApiConventions' table, declares the security it needs, and the agent
 * calls have typed JSON bodies.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class OpenApiConventionsTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private JsonNode doc;

    @BeforeEach
    void fetch() throws Exception {
        doc = new ObjectMapper().readTree(RestAssured.given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
    }

    private Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> it = path.getValue().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> op = it.next();
                if (METHODS.contains(op.getKey())) {
                    ops.put(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue());
                }
            }
        }
        return ops;
    }

    @Test
    void everyOperationHasAUniqueIdFromTheTable() {
        Map<String, JsonNode> ops = operations();
        assertTrue(ops.size() >= 30, "only " + ops.size() + " operations: " + ops.keySet());
        Map<String, String> seen = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> op : ops.entrySet()) {
            String id = op.getValue().path("operationId").asText("");
            if (!id.matches("[a-z][A-Za-z0-9]+")) {
                problems.add(op.getKey() + " has operationId '" + id + "'");
            }
            String other = seen.put(id, op.getKey());
            if (other != null) {
                problems.add(op.getKey() + " and " + other + " share operationId " + id);
            }
            if (!id.equals(OpenApiConventions.OPERATION_IDS.get(op.getKey()))) {
                problems.add(op.getKey() + " is not in OpenApiConventions.OPERATION_IDS (its id '" + id + "' was derived)");
            }
        }
        Set<String> stale = new TreeSet<>(OpenApiConventions.OPERATION_IDS.keySet());
        stale.removeAll(ops.keySet());
        assertEquals(List.of(), problems);
        assertEquals(Set.of(), stale, "OPERATION_IDS names operations the API no longer has");
    }

    @Test
    void everyOperationDeclaresTheSecurityItNeeds() {
        JsonNode schemes = doc.at("/components/securitySchemes");
        assertEquals("bearer", schemes.at("/bearer/scheme").asText(), schemes.toString());
        assertEquals("bearer", schemes.at("/agentKey/scheme").asText(), schemes.toString());
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            String path = op.getKey().substring(op.getKey().indexOf(' ') + 1);
            JsonNode security = op.getValue().get("security");
            assertTrue(security != null && security.isArray(), op.getKey() + " declares no security: " + op.getValue());
            String expected = path.startsWith("/api/") ? "[{\"bearer\":[]}]"
                    : Set.of("/scanner/heartbeat", "/scanner/assignments", "/scanner/results", "/scanner/uninstall").contains(path) ? "[{\"agentKey\":[]}]"
                    : "[]";
            assertEquals(expected, security.toString(), op.getKey());
        }
        assertTrue(operations().keySet().containsAll(List.of("GET /scanner/install", "GET /scanner/binary/{os}/{arch}", "POST /scanner/register")));
    }

    @Test
    void everyErrorAnswerIsAProblemDocument() {
        assertTrue(doc.at("/components/schemas/Problem/properties/errors").isObject(), doc.at("/components/schemas").toString());
        int errors = 0;
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            for (Map.Entry<String, JsonNode> r : op.getValue().get("responses").properties()) {
                if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
                    errors++;
                    assertEquals("#/components/schemas/Problem",
                            r.getValue().at("/content/application~1problem+json/schema/$ref").asText(), op.getKey() + " " + r.getKey());
                }
            }
        }
        assertTrue(errors > 40, "error answers seen: " + errors);
    }

    @Test
    void agentBodiesAreTypedJson() {
        Map<String, JsonNode> ops = operations();
        for (String[] call : new String[][]{
                {"POST /scanner/register", "token", "serviceAccountToken"},
                {"POST /scanner/heartbeat", "version", "metrics"},
                {"POST /scanner/results", "findings", null}}) {
            JsonNode body = ops.get(call[0]).at("/requestBody/content");
            assertEquals(List.of("application/json"), fieldNames(body), call[0] + " request body: " + body);
            JsonNode schema = resolve(body.at("/application~1json/schema"));
            assertFalse(schema.at("/properties/" + call[1]).isMissingNode(), call[0] + " body schema lacks " + call[1] + ": " + schema);
            if (call[2] != null) {
                assertFalse(schema.at("/properties/" + call[2]).isMissingNode(), call[0] + " body schema lacks " + call[2] + ": " + schema);
            }
        }
        JsonNode finding = resolve(resolve(ops.get("POST /scanner/results").at("/requestBody/content/application~1json/schema"))
                .at("/properties/findings/items"));
        assertEquals("[\"open\",\"closed\",\"filtered\"]", finding.at("/properties/state/enum").toString(), finding.toString());
        for (String[] answer : new String[][]{{"POST /scanner/register", "200", "apiKey"}, {"POST /scanner/heartbeat", "200", "assignmentsVersion"},
                {"GET /scanner/assignments", "200", "assignments"}, {"POST /scanner/results", "202", "accepted"}}) {
            JsonNode schema = resolve(ops.get(answer[0]).at("/responses/" + answer[1] + "/content/application~1json/schema"));
            assertFalse(schema.at("/properties/" + answer[2]).isMissingNode(), answer[0] + " " + answer[1] + " lacks " + answer[2] + ": " + schema);
        }
    }

    private JsonNode resolve(JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        return ref.startsWith("#/") ? doc.at(ref.substring(1)) : schema;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
