package io.mipo.operator.api.agent;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Calls the agent API as an agent would, over HTTP on 127.0.0.1. */
public final class AgentCalls {
    private AgentCalls() {
    }

    public static Map<String, Object> registration(String token) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token);
        body.put("hostname", "edge-host-1");
        body.put("version", "1.4.2");
        body.put("os", "linux");
        body.put("arch", "amd64");
        body.put("internalIp", "10.1.2.3");
        return body;
    }

    public static Response register(String token) {
        return register(registration(token));
    }

    public static Response register(Map<String, Object> body) {
        return RestAssured.given().contentType(ContentType.JSON).body(body).post("/scanner/register");
    }

    public static Response heartbeat(String apiKey) {
        return heartbeat(apiKey, Map.of("state", "idle", "capabilities", List.of("tcp-connect", "ipv4")));
    }

    public static Response heartbeat(String apiKey, Object body) {
        var spec = RestAssured.given().contentType(ContentType.JSON).body(body);
        if (apiKey != null) {
            spec = spec.header("Authorization", "Bearer " + apiKey);
        }
        return spec.post("/scanner/heartbeat");
    }
}
