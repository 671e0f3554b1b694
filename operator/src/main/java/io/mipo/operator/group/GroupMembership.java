package io.mipo.operator.group;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Membership of groups made through the REST facade (docs/api.md): such a group selects
 * {@code mipo.io/group.<id>: "true"}, and each member Scanner carries that label, so kubectl users
 * see the same membership as the UI. Labels are written with optimistic locking (a PUT carrying the
 * resourceVersion read), retried on conflict, so a concurrent edit of a Scanner is never lost.
 */
@ApplicationScoped
public class GroupMembership {
    private static final Logger LOG = Logger.getLogger(GroupMembership.class);
    /**
     * Status writes change a Scanner's resourceVersion too, so a label write can lose the race to the
     * operator's own reconciler; a few quick retries on a fresh read get through.
     */
    private static final int ATTEMPTS = 8;
    /** "group." + id must fit the 63-character name part of a label key. */
    public static final int MAX_GROUP_ID_LENGTH = 63 - "group.".length();

    @Inject
    KubernetesClient client;

    public static String labelKey(String groupId) {
        return Labels.GROUP_PREFIX + groupId;
    }

    public static LabelSelector selectorFor(String groupId) {
        return new LabelSelectorBuilder().withMatchLabels(Map.of(labelKey(groupId), "true")).build();
    }

    /** Whether the group's members are the Scanners carrying its facade label (and nothing else decides). */
    public static boolean managedByLabel(ScannerGroup g) {
        LabelSelector s = g.getSpec() == null ? null : g.getSpec().getSelector();
        return s != null && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty())
                && Map.of(labelKey(g.getMetadata().getName()), "true").equals(s.getMatchLabels());
    }

    /** One label change made: enough to undo it. */
    public record Change(String scanner, boolean added) {
    }

    /** A scanner could not be labelled: it is gone, or kept changing under us. */
    public static class MembershipException extends RuntimeException {
        private final String scanner;
        private final boolean missing;

        MembershipException(String scanner, boolean missing, String message) {
            super(message, null, false, false);
            this.scanner = scanner;
            this.missing = missing;
        }

        public String scanner() {
            return scanner;
        }

        public boolean missing() {
            return missing;
        }
    }

    /** The ids of the Scanners that carry the group's label now, read from the API server. */
    public Set<String> labelled(String namespace, String groupId) {
        Set<String> out = new TreeSet<>();
        for (Scanner s : client.resources(Scanner.class).inNamespace(namespace).withLabel(labelKey(groupId), "true").list().getItems()) {
            out.add(s.getMetadata().getName());
        }
        return out;
    }

    /**
     * Makes exactly {@code members} carry the group's label. On failure, the changes made so far
     * are undone (best effort) before the exception propagates, so no half-applied membership stays.
     *
     * @return the changes made
     * @throws MembershipException when a member to add does not exist or a Scanner keeps conflicting
     */
    public List<Change> set(String namespace, String groupId, Collection<String> members) {
        Set<String> wanted = new LinkedHashSet<>(members);
        Set<String> current = labelled(namespace, groupId);
        List<Change> done = new ArrayList<>();
        try {
            for (String id : wanted) {
                if (!current.contains(id)) {
                    label(namespace, id, groupId, true);
                    done.add(new Change(id, true));
                }
            }
            for (String id : current) {
                if (!wanted.contains(id)) {
                    if (label(namespace, id, groupId, false)) {
                        done.add(new Change(id, false));
                    }
                }
            }
        } catch (RuntimeException e) {
            undo(namespace, groupId, done);
            throw e;
        }
        return done;
    }

    /** Reverses {@code changes}, newest first; failures are logged, not thrown (this runs while failing already). */
    public void undo(String namespace, String groupId, List<Change> changes) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            Change c = changes.get(i);
            try {
                label(namespace, c.scanner(), groupId, !c.added());
            } catch (RuntimeException e) {
                LOG.warnf("Could not undo the %s of label %s on scanner %s/%s: %s", c.added() ? "addition" : "removal",
                        labelKey(groupId), namespace, c.scanner(), e.getMessage());
            }
        }
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing group labels", e);
        }
    }

    /** @return whether the scanner exists (a scanner gone while removing the label is fine) */
    private boolean label(String namespace, String scanner, String groupId, boolean add) {
        String key = labelKey(groupId);
        for (int attempt = 1; ; attempt++) {
            Scanner s = client.resources(Scanner.class).inNamespace(namespace).withName(scanner).get();
            if (s == null || s.getMetadata().getDeletionTimestamp() != null) {
                if (add) {
                    throw new MembershipException(scanner, true, "scanner " + scanner + " does not exist");
                }
                return false;
            }
            Map<String, String> labels = s.getMetadata().getLabels() == null ? new HashMap<>() : new HashMap<>(s.getMetadata().getLabels());
            boolean has = "true".equals(labels.get(key));
            if (has == add) {
                return true;
            }
            if (add) {
                labels.put(key, "true");
            } else {
                labels.remove(key);
            }
            s.getMetadata().setLabels(labels);
            try {
                client.resource(s).update();
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    if (add) {
                        throw new MembershipException(scanner, true, "scanner " + scanner + " does not exist");
                    }
                    return false;
                }
                if (e.getCode() != 409 || attempt >= ATTEMPTS) {
                    if (e.getCode() == 409) {
                        throw new MembershipException(scanner, false, "scanner " + scanner + " kept changing while its group label was written");
                    }
                    throw e;
                }
                pause(attempt);
            }
        }
    }
}
