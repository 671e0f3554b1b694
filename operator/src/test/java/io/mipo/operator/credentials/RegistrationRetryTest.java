package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.liveness.RegistrationProgress;
import io.mipo.operator.liveness.Sighting;
import io.mipo.operator.model.TokenState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retry window and the RegistrationIncomplete rule on explicit instants (no waiting). */
class RegistrationRetryTest {
    private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant USED = ISSUED.plus(Duration.ofHours(1));
    private static final Instant EXPIRES = ISSUED.plus(Duration.ofHours(24));

    private static Secret consumedWith(String id) {
        Secret s = new SecretBuilder().withNewMetadata().withName("x-provisioning").withNamespace("ns")
                .addToLabels(Labels.SCANNER, "x").addToLabels(Labels.COMPONENT, CredentialSecrets.PROVISIONING).endMetadata()
                .withData(CredentialSecrets.encode(java.util.Map.of(CredentialSecrets.STATE, "Consumed"))).build();
        return RegistrationRetry.withId(s, id);
    }

    private static ProvisioningRecord record(TokenState state, Instant expires) {
        return new ProvisioningRecord(new ScannerRef("ns", "x"), "uid", "1", new byte[32], ISSUED, expires, state, USED,
                new byte[32], null, false);
    }

    @Test
    void theSameIdWithinFifteenMinutesOfFirstUseAndTheTokenLifetimeIsARetry() {
        String id = UUID.randomUUID().toString();
        Secret s = consumedWith(id);
        ProvisioningRecord p = record(TokenState.Consumed, EXPIRES);
        assertTrue(RegistrationRetry.allows(s, p, id, USED.plusSeconds(1)));
        assertTrue(RegistrationRetry.allows(s, p, id.toUpperCase(), USED.plus(Duration.ofMinutes(15))), "upper-case UUID, at the limit");
        assertFalse(RegistrationRetry.allows(s, p, id, USED.plus(Duration.ofMinutes(15)).plusSeconds(1)), "past 15 minutes");
        assertFalse(RegistrationRetry.allows(s, p, UUID.randomUUID().toString(), USED.plusSeconds(1)), "another id");
        assertFalse(RegistrationRetry.allows(s, p, null, USED.plusSeconds(1)), "no id");
        assertFalse(RegistrationRetry.allows(s, record(TokenState.Consumed, USED.plusSeconds(60)), id, USED.plusSeconds(60)), "token expired");
        assertFalse(RegistrationRetry.allows(s, record(TokenState.Revoked, EXPIRES), id, USED.plusSeconds(1)), "token revoked (regenerated)");
        assertFalse(RegistrationRetry.allows(consumedWith(null), p, id, USED.plusSeconds(1)), "first use carried no id");
        assertFalse(CredentialSecrets.decode(s.getData()).values().stream().anyMatch(v -> v.contains(id)), "only the id's hash is stored");
    }

    @Test
    void registrationIncompleteOnlyWhenNoHeartbeatFollowedWithinOfflineAfterAndAfterAnyGrace() {
        Instant reg = Instant.parse("2026-01-01T10:00:00Z");
        Duration offline = Duration.ofMinutes(2);
        Sighting registrationOnly = new Sighting(reg.toEpochMilli(), null);
        Sighting heartbeat = new Sighting(reg.plusMillis(300).toEpochMilli(), null);
        assertFalse(RegistrationProgress.incomplete(reg, registrationOnly, reg.plus(offline).minusMillis(1), offline, null));
        assertTrue(RegistrationProgress.incomplete(reg, registrationOnly, reg.plus(offline), offline, null));
        assertTrue(RegistrationProgress.incomplete(reg, null, reg.plus(offline), offline, null));
        assertFalse(RegistrationProgress.incomplete(reg, heartbeat, reg.plus(Duration.ofHours(1)), offline, null), "one heartbeat is enough");
        assertFalse(RegistrationProgress.incomplete(reg, registrationOnly, reg.plus(offline), offline, reg.plus(offline).plusSeconds(5)),
                "a new leader's grace");
    }
}
