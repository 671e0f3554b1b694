package io.mipo.operator.credentials;

import io.mipo.operator.core.CredentialsChanged;
import io.mipo.operator.core.ScannerRef;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.mipo.operator.kube.WatchedNamespaces;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import jakarta.enterprise.event.Event;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas over one API server: replica A takes the registration, replica B has not learned of
 * it (its Secrets informer lags; here it never delivers) when the agent's first heartbeat reaches it.
 * B reads the scanner's Secrets once and honours the key at once; it never brings back a key the
 * registration's retry revoked, and bad hints cost no more than the read budget.
 */
@EnableKubernetesMockClient(crud = true)
class LateRegistrationTest {
    static KubernetesClient client;

    @SuppressWarnings("unchecked")
    private static Event<CredentialsChanged> noEvents() {
        return (Event<CredentialsChanged>) java.lang.reflect.Proxy.newProxyInstance(LateRegistrationTest.class.getClassLoader(),
                new Class<?>[] {Event.class}, (p, m, a) -> null);
    }

    private static WatchedNamespaces allNamespaces() throws Exception {
        var c = WatchedNamespaces.class.getDeclaredConstructor(Optional.class);
        c.setAccessible(true);
        return c.newInstance(Optional.empty());
    }

    private static CredentialIndex replicaIndex() throws Exception {
        CredentialIndex i = new CredentialIndex();
        i.client = client;
        i.changes = noEvents();
        i.watched = allNamespaces();
        return i;
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-06-01T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void theSecondReplicaHonoursAFreshKeyAtOnceAndNeverARevokedOne() throws Exception {
        String ns = "late-" + UUID.randomUUID().toString().substring(0, 8);
        Scanner scanner = client.resource(TestResources.scanner(ns, "edge", null)).create();
        ScannerRef ref = ScannerRef.of(scanner);
        String token = TokenFormat.generate(TokenKind.PROVISIONING);
        Instant issued = Instant.now();
        Secret p = client.resource(CredentialSecrets.provisioning(scanner, SecretDigest.sha256(token), "curl … | sh", issued,
                issued.plus(Duration.ofHours(24)))).create();

        // Replica A: registration as the ingest API does it.
        CredentialIndex a = replicaIndex();
        a.observed(p);
        Enrollment enrollment = new Enrollment();
        enrollment.client = client;
        enrollment.index = a;
        enrollment.scanners = r -> Optional.ofNullable(client.resources(Scanner.class).inNamespace(r.namespace()).withName(r.name()).get());
        String id = UUID.randomUUID().toString();
        RegisteredAgent agent = new RegisteredAgent("1.0", "host", "linux", "amd64", null, "198.51.100.4");
        String key = enrollment.consume(ref, token, agent, id).apiKey();
        byte[] hash = SecretDigest.sha256(key);
        assertEquals(Optional.of(ref), a.keyOwner(hash));

        // Replica B has not heard of it.
        CredentialIndex b = replicaIndex();
        LateRegistrations late = new LateRegistrations();
        late.client = client;
        late.index = b;
        late.watched = allNamespaces();
        MutableClock clock = new MutableClock();
        late.clock = clock;
        assertEquals(Optional.empty(), b.keyOwner(hash), "B's informer has not delivered the registration");
        assertEquals(Optional.empty(), late.lookUp(hash, "another-scanner"), "a wrong hint finds nothing");
        assertEquals(Optional.empty(), late.lookUp(hash, "Not A Name"), "a malformed hint is not even looked up");
        assertEquals(Optional.of(ref), late.lookUp(hash, "edge"), "invariant fresh-key-honoured: B reads the Secrets once and accepts the key");
        assertEquals(Optional.of(ref), b.keyOwner(hash), "and knows it from then on");

        // The agent retries its registration (answer lost): A issues a new key, the first one is revoked.
        String key2 = enrollment.consume(ref, token, agent, id).apiKey();
        assertNotEquals(key, key2);
        CredentialIndex c = replicaIndex(); // a third replica, also late
        LateRegistrations late3 = new LateRegistrations();
        late3.client = client;
        late3.index = c;
        late3.watched = allNamespaces();
        late3.clock = clock;
        assertEquals(Optional.empty(), late3.lookUp(hash, "edge"), "invariant revoked-stays-revoked: the earlier key is not honoured");
        clock.now = clock.now.plusSeconds(3);
        assertEquals(Optional.of(ref), late3.lookUp(SecretDigest.sha256(key2), "edge"));
        // B catches up the same way (after the per-scanner gap): the revoked key is gone there too.
        assertEquals(Optional.of(ref), late.lookUp(SecretDigest.sha256(key2), "edge"));
        assertEquals(Optional.empty(), b.keyOwner(hash));

        // Budget: one read per scanner per 2 s; bad keys with a valid hint are answered from memory within it.
        List<Boolean> found = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            found.add(late.lookUp(SecretDigest.sha256(TokenFormat.generate(TokenKind.API_KEY)), "edge").isPresent());
        }
        assertEquals(List.of(false, false, false, false, false), found);
        assertTrue(LateRegistrations.PER_SECOND <= 20);
    }
}
