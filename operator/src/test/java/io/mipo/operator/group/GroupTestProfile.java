package io.mipo.operator.group;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A small group cap, so the 409 past mipo.limits.max-groups can be reached in a test. */
public class GroupTestProfile implements QuarkusTestProfile {
    /** The static admin token of this profile (user mipo-admin); generated per run, never a real token. */
    public static final String ADMIN_TOKEN = "test-admin-" + java.util.UUID.randomUUID();

    public static final int MAX_GROUPS = 6;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mipo.limits.max-groups", Integer.toString(MAX_GROUPS),
                "mipo.auth.static-token", ADMIN_TOKEN);
    }
}
