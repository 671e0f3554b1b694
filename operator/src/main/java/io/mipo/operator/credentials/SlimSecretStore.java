package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.util.Map;

/**
 * The store of the labelled Secrets' informer ({@link LabelledSecrets}). Its readers build their own
 * records from each Secret as it arrives ({@link CredentialIndex}, {@link PodKeys}), so the informer
 * does not need to keep the fleet's two Secrets per scanner whole: of a provisioning or credentials
 * Secret it keeps name, namespace, uid, resourceVersion and labels, which is all the informer itself
 * reads (the version to tell an update from a repeat, the key and namespace index) and all the index
 * needs of a Secret whose deletion a relist found. That drops the {@code data} map, its base64
 * values, the owner reference and the rest of the metadata: about a kilobyte a Secret, two Secrets a
 * scanner (docs/benchmarks.md, "Memory"). Other labelled Secrets (one per DaemonSet pod) are kept
 * whole: their reader needs the data of a deleted one.
 *
 * <p>It is not a full-state store ({@link #isFullState}): the informer then hands its listeners every
 * object of the first list as it is decoded, instead of reading them back from this store once the
 * list is complete (which would give them the kept fields only). For the same reason a listener can
 * no longer learn the cached Secrets from this store after the start ({@link LabelledSecrets#addListener}).
 */
final class SlimSecretStore extends BasicItemStore<Secret> {

    SlimSecretStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    /** What is kept of {@code s}: the same object when it is not one of the two per-scanner Secrets. */
    static Secret slim(Secret s) {
        String component = CredentialSecrets.component(s);
        if (!CredentialSecrets.PROVISIONING.equals(component) && !CredentialSecrets.CREDENTIALS.equals(component)) {
            return s;
        }
        ObjectMeta m = s.getMetadata();
        ObjectMeta kept = new ObjectMeta();
        kept.setName(m.getName());
        kept.setNamespace(m.getNamespace());
        kept.setUid(m.getUid());
        kept.setResourceVersion(m.getResourceVersion());
        // Read-only from here on: the labels in a compact map, and the maps of unknown fields, empty in
        // every Secret of ours, all one shared empty map (an empty LinkedHashMap each costs 56 bytes).
        Map<String, String> labels = m.getLabels();
        kept.setLabels(labels == null || labels.containsKey(null) || labels.containsValue(null) ? labels : Map.copyOf(labels));
        kept.setAdditionalProperties(Map.of());
        // The model's constructors start every collection empty; the kept copy holds none.
        kept.setAnnotations(null);
        kept.setFinalizers(null);
        kept.setManagedFields(null);
        kept.setOwnerReferences(null);
        Secret out = new Secret();
        out.setMetadata(kept);
        out.setData(null);
        out.setStringData(null);
        out.setAdditionalProperties(Map.of());
        return out;
    }

    @Override
    public Secret put(String key, Secret obj) {
        return super.put(key, slim(obj));
    }

    /** Adds go to the listeners as they are listed, with the whole Secret (see the class comment). */
    @Override
    public boolean isFullState() {
        return false;
    }
}
