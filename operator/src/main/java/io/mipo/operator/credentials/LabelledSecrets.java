package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.mipo.operator.kube.WatchedNamespaces;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one informer of the process on the operator's labelled Secrets ({@link CredentialSecrets#SELECTOR},
 * {@code app.kubernetes.io/managed-by=mipo-scanner-operator}): one across all namespaces, or one per
 * watched namespace (a namespaced install has no cluster-wide grant). Its readers, the
 * {@link CredentialIndex} (provisioning and credentials Secrets) and {@link PodKeys} (the per-pod
 * credentials Secrets, which carry the same label), register a listener each and pick the Secrets
 * of their component; the Secrets are held once, not once per reader.
 *
 * <p>It starts after the readers' own start-up observers (default priority), so that both see the
 * first list as adds; a listener cannot be added later. Its store keeps only what identifies each
 * provisioning and credentials Secret ({@link SlimSecretStore}): the readers hold what they need of
 * them in their own records.
 */
@ApplicationScoped
public class LabelledSecrets {
    private static final Logger LOG = Logger.getLogger(LabelledSecrets.class);

    @Inject
    KubernetesClient client;

    @Inject
    WatchedNamespaces watched;

    private final List<ResourceEventHandler<Secret>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<SharedIndexInformer<Secret>> informers;

    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 900) StartupEvent event) {
        start();
    }

    void stop(@Observes ShutdownEvent event) {
        List<SharedIndexInformer<Secret>> all = informers;
        if (all != null) {
            all.forEach(SharedIndexInformer::stop);
        }
    }

    /**
     * Adds a listener for every add, update and delete. Only before the start: the informers keep
     * only what identifies each per-scanner Secret ({@link SlimSecretStore}), so the Secrets already
     * listed could not be told to a later listener whole.
     */
    synchronized void addListener(ResourceEventHandler<Secret> listener) {
        if (informers != null) {
            throw new IllegalStateException("the labelled Secrets' informers have started; listeners must be added before");
        }
        listeners.add(listener);
    }

    /** Starts the informers once; later calls do nothing. */
    synchronized void start() {
        if (informers != null) {
            return;
        }
        List<SharedIndexInformer<Secret>> started = new ArrayList<>();
        if (watched.all()) {
            started.add(informer(client.secrets().inAnyNamespace().withLabelSelector(CredentialSecrets.SELECTOR)
                    .withLimit(io.mipo.operator.core.ListPaging.PAGE).runnableInformer(0)));
        } else {
            for (String ns : watched.only().orElseThrow()) {
                started.add(informer(client.secrets().inNamespace(ns).withLabelSelector(CredentialSecrets.SELECTOR)
                        .withLimit(io.mipo.operator.core.ListPaging.PAGE).runnableInformer(0)));
            }
        }
        // Blocking for the first list, as the readers' own informers were: a Secret list refused at
        // start-up (RBAC) fails the start instead of leaving a never-ready index.
        started.forEach(SharedIndexInformer::run);
        informers = List.copyOf(started);
    }

    private SharedIndexInformer<Secret> informer(SharedIndexInformer<Secret> i) {
        i.itemStore(new SlimSecretStore());
        i.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret s) {
                for (ResourceEventHandler<Secret> l : listeners) {
                    call(() -> l.onAdd(s));
                }
            }

            @Override
            public void onUpdate(Secret old, Secret s) {
                for (ResourceEventHandler<Secret> l : listeners) {
                    call(() -> l.onUpdate(old, s));
                }
            }

            @Override
            public void onDelete(Secret s, boolean deletedFinalStateUnknown) {
                for (ResourceEventHandler<Secret> l : listeners) {
                    call(() -> l.onDelete(s, deletedFinalStateUnknown));
                }
            }
        });
        return i;
    }

    private static void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // One reader's failure must not keep the other from the event.
            LOG.errorf(e, "A listener of the labelled Secrets failed");
        }
    }

    /** What the informers hold now (tests: per-scanner Secrets without their data). */
    List<Secret> cached() {
        List<SharedIndexInformer<Secret>> all = informers;
        List<Secret> out = new ArrayList<>();
        if (all != null) {
            all.forEach(i -> out.addAll(i.getStore().list()));
        }
        return out;
    }

    /** True once every informer listed the labelled Secrets (readiness). */
    public boolean isSynced() {
        List<SharedIndexInformer<Secret>> all = informers;
        return all != null && all.stream().allMatch(SharedIndexInformer::hasSynced);
    }
}
