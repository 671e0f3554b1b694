package io.mipo.operator.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mipo.operator.model.Scanner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Decoded objects share one String per repeated value, and decode exactly as without sharing. */
class SharedStringsTest {
    private static final KubernetesSerialization SHARING = KubernetesClientProducer.serialization();
    private static final KubernetesSerialization PLAIN = new KubernetesSerialization();

    private static String scannerJson(String name, String uid) {
        return """
                {"apiVersion":"mipo.io/v1alpha1","kind":"Scanner",
                 "metadata":{"name":"%s","namespace":"tenant-a","uid":"%s","resourceVersion":"17",
                   "labels":{"site":"fra-1","tier":"edge"}},
                 "spec":{"displayName":"%s","description":5},
                 "status":{"phase":"Active","conditions":[{"type":"Ready","status":"True","reason":"Heartbeating",
                   "message":"The agent heartbeats","lastTransitionTime":"2026-12-04T01:00:00Z"}]}}
                """.formatted(name, uid, name);
    }

    @Test
    void repeatedValuesAreOneObjectAndOneOffValuesPassThrough() {
        Scanner a = SHARING.unmarshal(scannerJson("scanner-a", "uid-a"), Scanner.class);
        Scanner b = SHARING.unmarshal(scannerJson("scanner-b", "uid-b"), Scanner.class);

        assertSame(a.getMetadata().getNamespace(), b.getMetadata().getNamespace(), "namespace");
        assertSame(a.getMetadata().getLabels().get("site"), b.getMetadata().getLabels().get("site"), "label value");
        assertSame(a.getStatus().getConditions().get(0).getReason(), b.getStatus().getConditions().get(0).getReason(), "condition reason");
        assertSame(a.getStatus().getConditions().get(0).getLastTransitionTime(), b.getStatus().getConditions().get(0).getLastTransitionTime(),
                "a timestamp shared by a batch");
        assertEquals("scanner-b", b.getMetadata().getName());
        assertNotSame(a.getMetadata().getName(), b.getMetadata().getName());

        Scanner plainA = PLAIN.unmarshal(scannerJson("scanner-a", "uid-a"), Scanner.class);
        Scanner plainB = PLAIN.unmarshal(scannerJson("scanner-b", "uid-b"), Scanner.class);
        assertNotSame(plainA.getMetadata().getNamespace(), plainB.getMetadata().getNamespace(),
                "without sharing each decode has its own copy (else this test shows nothing)");
    }

    @Test
    void decodingIsUnchanged() throws Exception {
        String json = scannerJson("scanner-a", "uid-a");
        assertEquals(PLAIN.asJson(PLAIN.unmarshal(json, Scanner.class)), PLAIN.asJson(SHARING.unmarshal(json, Scanner.class)));
        assertEquals("5", SHARING.unmarshal(json, Scanner.class).getSpec().getDescription(), "a number still coerces to its text");
        for (String example : new String[]{"scanner.yaml", "scannerbinding.yaml", "scannergroup.yaml", "multi-vantage.yaml"}) {
            String yaml = Files.readString(Path.of("..", "examples", example));
            for (String doc : yaml.split("(?m)^---\\s*$")) {
                if (doc.isBlank()) {
                    continue;
                }
                String plain = PLAIN.asJson(PLAIN.unmarshal(doc));
                assertEquals(plain, PLAIN.asJson(SHARING.unmarshal(doc)), example + " decodes differently with shared strings");
            }
        }
        String secret = """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"tenant-a"},
                 "type":"Opaque","data":{"hash":"c2VjcmV0"},"stringData":null}
                """;
        assertEquals(PLAIN.asJson(PLAIN.unmarshal(secret, Secret.class)), PLAIN.asJson(SHARING.unmarshal(secret, Secret.class)));
    }

    @Test
    void theTableReturnsTheFirstOfEqualValuesAndPassesLongOnes() {
        SharedStrings strings = new SharedStrings();
        String first = new String("Heartbeating");
        assertSame(first, strings.share(first));
        assertSame(first, strings.share(new String("Heartbeating")));
        String lng = "x".repeat(SharedStrings.LONGEST + 1);
        strings.share(lng);
        String again = new String(lng);
        assertSame(again, strings.share(again), "a value over the length limit was looked up");
        assertEquals(null, strings.share(null));
    }
}
