package io.mipo.operator.kube;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Kubernetes-convention conditions. A status is rebuilt on every pass; {@link #carry} keeps
 * {@code lastTransitionTime} from the previous status unless the condition's status changed, so
 * an unchanged condition does not make the status differ.
 */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String VALID = "Valid";
    public static final String REGISTERED = "Registered";
    /**
     * kstatus' abnormal-true condition: present and True only when the operator cannot make progress
     * until someone changes the spec (kstatus then reports Failed instead of InProgress).
     */
    public static final String STALLED = "Stalled";

    private Conditions() {
    }

    public static Condition of(String type, boolean status, String reason, String message, Long generation) {
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status ? "True" : "False")
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .build();
    }

    /** Sets lastTransitionTime of each new condition: carried over when the status did not change. */
    public static List<Condition> carry(List<Condition> previous, List<Condition> next, Instant now) {
        List<Condition> out = new ArrayList<>(next.size());
        for (Condition c : next) {
            Condition old = find(previous, c.getType());
            String since = old != null && Objects.equals(old.getStatus(), c.getStatus()) && old.getLastTransitionTime() != null
                    ? old.getLastTransitionTime()
                    : Times.format(now);
            out.add(new ConditionBuilder(c).withLastTransitionTime(since).build());
        }
        return out;
    }

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        for (Condition c : conditions) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }
}
