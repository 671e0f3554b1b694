package io.mipo.operator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Objects;

/**
 * Writes a custom resource's status subresource, only when it differs from what was read, with a
 * PUT that carries the resourceVersion read. Optimistic locking instead of server-side apply: it
 * works the same on a real API server and on the embedded one of standalone mode (which cannot
 * apply patches); a stale write fails with 409 and the reconciliation is retried on fresh state.
 */
@ApplicationScoped
public class StatusWriter {

    @Inject
    KubernetesClient client;

    /**
     * @param current the resource as read (its status is the old one)
     * @param status  the newly computed status
     * @return the written resource, or {@code current} when nothing changed
     */
    public <S, R extends CustomResource<?, S>> R write(R current, S status) {
        if (sameJson(current.getStatus(), status)) {
            return current;
        }
        R copy = Serialization.clone(current);
        copy.setStatus(status);
        return client.resource(copy).updateStatus();
    }

    public static boolean sameJson(Object a, Object b) {
        JsonNode left = a == null ? null : Serialization.jsonMapper().valueToTree(a);
        JsonNode right = b == null ? null : Serialization.jsonMapper().valueToTree(b);
        return Objects.equals(left, right);
    }
}
