package io.mipo.operator.group;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A small group cap, so the 409 past mipo.limits.max-groups can be reached in a test. */
public class GroupTestProfile implements QuarkusTestProfile {
    public static final int MAX_GROUPS = 6;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mipo.limits.max-groups", Integer.toString(MAX_GROUPS));
    }
}
