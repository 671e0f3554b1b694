package io.mipo.operator.api;

import io.mipo.operator.testing.Configs;
import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings that make the edge unsafe stop the operator at start-up (install commands in clear, forwarded addresses). */
class EdgeChecksTest {

    private static List<String> refusals(Map<String, String> props, boolean forwarding) {
        return EdgeChecks.refusals(Configs.mipo(props), forwarding, LaunchMode.NORMAL);
    }

    @Test
    void outsideStandaloneAPublicUrlIsRequired() {
        List<String> r = refusals(Map.of(), false);
        assertEquals(1, r.size(), r.toString());
        assertTrue(r.get(0).contains("mipo.public-url is required"), r.toString());
        assertEquals(List.of(), refusals(Map.of("mipo.standalone", "true"), false), "standalone may use its local listener");
        assertEquals(List.of(), refusals(Map.of("mipo.public-url", "https://mipo.example.com"), false));
    }

    @Test
    void plainHttpIsRefusedExceptForLoopbackOrWhenExplicitlyAllowed() {
        List<String> r = refusals(Map.of("mipo.public-url", "http://mipo.example.com"), false);
        assertTrue(r.size() == 1 && r.get(0).contains("plain http"), r.toString());
        assertTrue(!refusals(Map.of("mipo.public-url", "http://10.0.0.5:8080"), false).isEmpty());
        assertTrue(!refusals(Map.of("mipo.public-url", "http://localhost.evil.example"), false).isEmpty(), "names are never resolved");
        assertEquals(List.of(), refusals(Map.of("mipo.public-url", "http://localhost:8080"), false));
        assertEquals(List.of(), refusals(Map.of("mipo.public-url", "http://127.0.0.1:8080"), false));
        assertEquals(List.of(), refusals(Map.of("mipo.public-url", "http://[::1]:8080"), false));
        assertEquals(List.of(), refusals(Map.of("mipo.public-url", "http://mipo.example.com",
                "mipo.public-url.allow-insecure", "true"), false));
    }

    @Test
    void quarkusProxyAddressForwardingIsRefused() {
        List<String> r = refusals(Map.of("mipo.public-url", "https://mipo.example.com"), true);
        assertTrue(r.size() == 1 && r.get(0).contains(EdgeChecks.PROXY_FORWARDING), r.toString());
    }

    @Test
    void wideTrustedProxyRangesAreWarnedAbout() {
        List<String> w = EdgeChecks.warnings(Configs.mipo(Map.of("mipo.http.trusted-proxies", "0.0.0.0/0,10.0.0.0/8,10.1.2.3/32,10.2.0.0/16,fd00::/8")));
        assertEquals(3, w.size(), w.toString());
        assertTrue(w.get(0).contains("0.0.0.0/0") && w.get(1).contains("10.0.0.0/8") && w.get(2).contains("fd00::/8"), w.toString());
    }
}
