package io.mipo.operator.liveness;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Labels;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every replica's heartbeat ledger as last written, merged: for each scanner, the latest heartbeat
 * any replica has published. Fed by an informer on the ledger ConfigMaps (a label selector in the
 * operator namespace), or directly through {@link #accept} in tests.
 */
public final class LedgerBoard {
    public static final String SELECTOR = Labels.COMPONENT + "=" + HeartbeatLedger.COMPONENT;

    /** One ledger shard as last seen (its sightings go to {@link #memory}; a shard does not keep a copy). */
    public record Shard(String name, String replica, long flushedAt) {
    }

    private final Map<String, Shard> shards = new ConcurrentHashMap<>();
    /** Every sighting ever published, the latest per scanner: see {@link SightingMemory}. */
    private final SightingMemory memory = new SightingMemory();
    private volatile java.util.function.Consumer<Merged> onChange = m -> { };

    /** A shard read: whose replica wrote it, and the scanners whose latest sighting it moved. */
    public record Merged(String replica, java.util.List<ScannerRef> moved) {
    }

    /** Called after every change to the published ledgers (on the informer's thread). */
    public void onChange(java.util.function.Consumer<Merged> listener) {
        this.onChange = listener;
    }

    public void accept(ConfigMap cm) {
        String name = cm.getMetadata().getName();
        String replica = cm.getMetadata().getLabels() == null ? null : cm.getMetadata().getLabels().get(HeartbeatLedger.REPLICA_LABEL);
        String text = cm.getData() == null ? null : cm.getData().get(HeartbeatLedger.DATA_KEY);
        shards.put(name, new Shard(name, replica, flushedAt(cm)));
        onChange.accept(new Merged(replica, memory.merge(LedgerCodec.parse(text))));
    }

    public void remove(ConfigMap cm) {
        shards.remove(cm.getMetadata().getName());
    }

    /**
     * The latest heartbeat of the scanner published by any replica, including shards since
     * rewritten with less (a replica restarted with an empty memory) or deleted.
     */
    public Optional<Sighting> latest(ScannerRef ref) {
        return memory.get(ref);
    }

    public long lastSeen(ScannerRef ref) {
        return memory.lastSeen(ref);
    }

    /** The scanner is gone: its sightings are dropped (a new scanner of the same name starts afresh). */
    public void forget(ScannerRef ref) {
        memory.forget(ref);
    }

    /** Drops sightings older than {@code cutoff} (epoch millis): the ledgers' retention. */
    public void prune(long cutoff) {
        memory.prune(cutoff);
    }

    /** Shards not written for longer than {@code maxAge} (their replica is gone). */
    public List<String> abandoned(long now, long maxAge) {
        List<String> out = new ArrayList<>();
        for (Shard s : shards.values()) {
            if (s.flushedAt() > 0 && now - s.flushedAt() > maxAge) {
                out.add(s.name());
            }
        }
        return out;
    }

    public int shardCount() {
        return shards.size();
    }

    public SharedIndexInformer<ConfigMap> inform(KubernetesClient client, String namespace) {
        return client.configMaps().inNamespace(namespace).withLabelSelector(SELECTOR).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap cm) {
                accept(cm);
            }

            @Override
            public void onUpdate(ConfigMap old, ConfigMap cm) {
                accept(cm);
            }

            @Override
            public void onDelete(ConfigMap cm, boolean unknownFinalState) {
                remove(cm);
            }
        }, 0);
    }

    private static long flushedAt(ConfigMap cm) {
        Map<String, String> a = cm.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(HeartbeatLedger.FLUSHED_AT);
        if (v == null) {
            return 0;
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
