package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mipo.operator.core.CredentialsChanged;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import jakarta.enterprise.event.Event;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The finalizer forgets a deleted scanner's credentials on every attempt. Each announced change asks
 * for another reconciliation of that scanner, so forgetting what is already forgotten must announce
 * nothing: otherwise, while the deletion has not reached the cache (its watch event lost, see
 * DroppedWatchesTest), every finalizer run asks for the next one at once, a loop of API calls.
 */
class ForgetAnnouncesOnlyChangesTest {

    @SuppressWarnings("unchecked")
    private static Event<CredentialsChanged> recording(List<CredentialsChanged> fired) {
        return (Event<CredentialsChanged>) java.lang.reflect.Proxy.newProxyInstance(ForgetAnnouncesOnlyChangesTest.class.getClassLoader(),
                new Class<?>[] {Event.class}, (p, m, a) -> {
                    if ("fire".equals(m.getName())) {
                        fired.add((CredentialsChanged) a[0]);
                    }
                    return null;
                });
    }

    @Test
    void forgettingAScannerAnnouncesOnceAndForgettingItAgainAnnouncesNothing() {
        List<CredentialsChanged> fired = new CopyOnWriteArrayList<>();
        CredentialIndex index = new CredentialIndex();
        index.changes = recording(fired);
        Scanner scanner = TestResources.scanner("ns", "edge", null);
        scanner.setMetadata(new ObjectMetaBuilder(scanner.getMetadata()).withUid("uid-edge").build());
        Instant issued = Instant.now();
        index.observed(CredentialSecrets.provisioning(scanner, SecretDigest.sha256(TokenFormat.generate(TokenKind.PROVISIONING)),
                "curl … | sh", issued, issued.plus(Duration.ofHours(24))));
        fired.clear();
        ScannerRef ref = new ScannerRef("ns", "edge");

        index.forget(ref);
        assertEquals(1, fired.size(), "the first forget changes something and says so: " + fired);
        index.forget(ref);
        index.forget(ref);
        assertEquals(1, fired.size(), "invariant no-finalizer-loop: forgetting a forgotten scanner announced a change: " + fired);
        index.forget(new ScannerRef("ns", "never-known"));
        assertEquals(1, fired.size(), "a scanner never known: nothing to announce: " + fired);
    }
}
