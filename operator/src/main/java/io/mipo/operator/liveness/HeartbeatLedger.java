package io.mipo.operator.liveness;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Labels;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One replica's heartbeats: taken in memory, and written now and then to ConfigMaps
 * {@code mipo-heartbeats-<replica>-<shard>} that only this replica writes (docs/liveness.md).
 *
 * <p>A ledger is written only when the leader needs it to be: when it holds a scanner the leader may
 * believe Offline or has not seen (soon, {@code urgentGap}), or when one of its records has grown
 * older than {@code refreshAfter} while a newer heartbeat is waiting (at a {@code regularGap} pace).
 * Heartbeat traffic therefore changes what the next write contains, not how often writes happen:
 * in steady state a replica writes each shard about once per (refreshAfter − heartbeat interval),
 * whatever the number of scanners (a shard holds about 25,000 in steady state; see {@link LedgerCodec}).
 *
 * <p>Thread-safety: {@link #record} is called by request threads; {@link #flushIfDue} by one
 * scheduler thread only.
 */
public final class HeartbeatLedger {
    private static final Logger LOG = Logger.getLogger(HeartbeatLedger.class);
    public static final String COMPONENT = "heartbeat-ledger";
    public static final String REPLICA_LABEL = "mipo.io/replica";
    public static final String FLUSHED_AT = "mipo.io/flushed-at";
    public static final String DATA_KEY = "heartbeats";
    public static final String NAME_PREFIX = "mipo-heartbeats-";
    /**
     * The size a shard is planned for: well below the 1 MiB a ConfigMap may hold, so that an uneven
     * hash spread never overflows a shard (about 25,000 scanners in steady state).
     */
    static final int SHARD_BYTES = 600_000;
    /** A shard that came out larger than this (UTF-8 bytes) is split further before it is written. */
    static final int MAX_SHARD_BYTES = 900_000;

    public enum Due { NO, REGULAR, URGENT }

    private final KubernetesClient client;
    private final String namespace;
    private final String replicaId;
    private final LivenessSettings settings;
    private final Function<ScannerRef, AgentFacts> registered;
    private final Map<ScannerRef, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Written> written = new HashMap<>();
    private long lastFlush = Long.MIN_VALUE / 2;
    private boolean previousShardsChecked;

    private static final class Entry {
        volatile long lastSeen;
        volatile AgentFacts facts;
        volatile long flushedSeen = -1;
        volatile AgentFacts flushedFacts;
    }

    private record Written(String content, String resourceVersion) {
    }

    /** {@code facts} as known here, {@code written} the part of them the ledger holds. */
    private record Snapshot(ScannerRef ref, String key, Entry entry, long seen, AgentFacts facts, AgentFacts written) {
    }

    public HeartbeatLedger(KubernetesClient client, String namespace, String replicaId, LivenessSettings settings) {
        this(client, namespace, replicaId, settings, ref -> null);
    }

    /**
     * @param registered what each scanner's agent registered with (null when unknown): the ledger
     *                   writes only the facts that differ from it, since every reader shows the
     *                   registered value for a fact it does not find
     */
    public HeartbeatLedger(KubernetesClient client, String namespace, String replicaId, LivenessSettings settings,
                           Function<ScannerRef, AgentFacts> registered) {
        this.client = client;
        this.namespace = namespace;
        this.replicaId = replicaId;
        this.settings = settings;
        this.registered = registered;
    }

    public String replicaId() {
        return replicaId;
    }

    /** Records a heartbeat (or registration) taken at {@code at}; facts fields that are null keep their old value. */
    public void record(ScannerRef ref, long at, String version, String hostname, String internalIp, String sourceAddress) {
        Entry e = entries.get(ref);
        if (e == null) {
            e = entries.computeIfAbsent(ref, k -> new Entry());
        }
        if (at > e.lastSeen) {
            e.lastSeen = at;
        }
        AgentFacts old = e.facts;
        AgentFacts updated = old == null ? AgentFacts.of(version, hostname, internalIp, sourceAddress)
                : old.updatedWith(version, hostname, internalIp, sourceAddress);
        if (updated != old) {
            e.facts = updated;
        }
    }

    /**
     * Starts from what this replica's ledger held before it restarted in place (same replica id):
     * its stored shards are read back as already written, so that the first flush after a restart
     * does not replace them by an almost empty memory and no scanner it served looks silent.
     * Returns the number of scanners restored; nothing when the API cannot be read (logged).
     */
    public int restore() {
        List<ConfigMap> stored;
        try {
            stored = client.configMaps().inNamespace(namespace)
                    .withLabel(Labels.COMPONENT, COMPONENT).withLabel(REPLICA_LABEL, replicaId)
                    .list().getItems();
        } catch (KubernetesClientException e) {
            LOG.warnf("Could not read this replica's earlier heartbeat ledger: HTTP %d; starting empty", e.getCode());
            return 0;
        }
        int n = 0;
        for (ConfigMap cm : stored) {
            String text = cm.getData() == null ? null : cm.getData().get(DATA_KEY);
            for (Map.Entry<ScannerRef, Sighting> s : LedgerCodec.parse(text).entrySet()) {
                Entry e = entries.computeIfAbsent(s.getKey(), k -> new Entry());
                Sighting v = s.getValue();
                if (v.lastSeenMillis() > e.lastSeen) {
                    e.lastSeen = v.lastSeenMillis();
                    e.facts = v.facts();
                    e.flushedSeen = v.lastSeenMillis();
                    e.flushedFacts = v.facts();
                    n++;
                }
            }
            written.put(cm.getMetadata().getName(), new Written(text == null ? "" : text, cm.getMetadata().getResourceVersion()));
        }
        return n;
    }

    public Optional<Sighting> sighting(ScannerRef ref) {
        Entry e = entries.get(ref);
        return e == null || e.lastSeen == 0 ? Optional.empty() : Optional.of(new Sighting(e.lastSeen, e.facts));
    }

    public long lastSeen(ScannerRef ref) {
        Entry e = entries.get(ref);
        return e == null ? -1 : e.lastSeen;
    }

    public void forget(ScannerRef ref) {
        entries.remove(ref);
    }

    public int size() {
        return entries.size();
    }

    /**
     * Whether the ledger should be written now.
     *
     * @param publishedLastSeen the last heartbeat of a scanner as the leader can know it from all
     *                          ledgers (this one's written state included), -1 when unknown
     */
    public Due due(long now, ToLongFunction<ScannerRef> publishedLastSeen) {
        boolean stale = false;
        long offlineAfter = settings.offlineAfter().toMillis();
        for (Map.Entry<ScannerRef, Entry> en : entries.entrySet()) {
            Entry e = en.getValue();
            long seen = e.lastSeen;
            boolean newer = seen > e.flushedSeen;
            boolean factsChanged = !Objects.equals(e.facts, e.flushedFacts);
            if (!newer && !factsChanged) {
                continue;
            }
            if (newer && publishedLastSeen.applyAsLong(en.getKey()) + offlineAfter <= now) {
                return now - lastFlush >= settings.urgentGap().toMillis() ? Due.URGENT : Due.NO;
            }
            // Any newer heartbeat is published at the regular pace, so that every replica shows a
            // last heartbeat at most about one ledger-flush-interval old (the REST facade).
            stale = true;
        }
        return stale && now - lastFlush >= settings.regularGap().toMillis() ? Due.REGULAR : Due.NO;
    }

    /** Writes the ledger if {@link #due} says so; returns the number of API writes made. */
    public int flushIfDue(long now, ToLongFunction<ScannerRef> publishedLastSeen) {
        return due(now, publishedLastSeen) == Due.NO ? 0 : flush(now);
    }

    /** Writes every shard whose content changed; returns the number of API writes made. */
    public int flush(long now) {
        long cutoff = now - settings.retention().toMillis();
        List<Snapshot> snaps = new ArrayList<>(entries.size());
        for (Map.Entry<ScannerRef, Entry> en : entries.entrySet()) {
            Entry e = en.getValue();
            long seen = e.lastSeen;
            if (seen < cutoff) {
                entries.remove(en.getKey(), e);
                continue;
            }
            ScannerRef ref = en.getKey();
            AgentFacts facts = e.facts;
            snaps.add(new Snapshot(ref, ref.namespace() + "/" + ref.name(), e, seen, facts, LedgerCodec.beyond(facts, registered.apply(ref))));
        }
        snaps.sort(Comparator.comparing(Snapshot::key));
        long earliest = Long.MAX_VALUE;
        for (Snapshot s : snaps) {
            earliest = Math.min(earliest, s.seen());
        }
        long bytes = 0;
        String ns = null;
        for (Snapshot s : snaps) {
            bytes += LedgerCodec.lineLength(s.ref(), s.seen() - earliest, s.written());
            if (!s.ref().namespace().equals(ns)) {
                ns = s.ref().namespace();
                bytes += ns.length() + 2;
            }
        }
        int shards = Math.max(1, (int) Math.ceil((double) bytes / SHARD_BYTES));
        List<String> texts;
        List<List<Snapshot>> members;
        while (true) {
            members = new ArrayList<>(shards);
            for (int i = 0; i < shards; i++) {
                members.add(new ArrayList<>());
            }
            for (Snapshot s : snaps) {
                members.get(Math.floorMod(s.key().hashCode(), shards)).add(s);
            }
            texts = new ArrayList<>(shards);
            boolean fits = true;
            for (List<Snapshot> m : members) {
                List<LedgerCodec.Line> lines = new ArrayList<>(m.size());
                for (Snapshot s : m) {
                    lines.add(new LedgerCodec.Line(s.ref(), s.seen(), s.written()));
                }
                String text = LedgerCodec.text(lines);
                fits &= utf8Length(text) <= MAX_SHARD_BYTES;
                texts.add(text);
            }
            if (fits || shards >= snaps.size()) {
                break;
            }
            shards *= 2;
        }
        int writes = 0;
        Set<String> current = new HashSet<>();
        for (int i = 0; i < shards; i++) {
            String name = shardName(i);
            current.add(name);
            String content = texts.get(i);
            Written w = written.get(name);
            try {
                if (w == null || !w.content().equals(content)) {
                    write(name, content, now);
                    writes++;
                }
                for (Snapshot s : members.get(i)) {
                    s.entry().flushedSeen = Math.max(s.entry().flushedSeen, s.seen());
                    s.entry().flushedFacts = s.facts();
                }
            } catch (KubernetesClientException e) {
                LOG.warnf("Could not write heartbeat ledger %s/%s: HTTP %d; will retry", namespace, name, e.getCode());
            }
        }
        writes += dropShardsOtherThan(current);
        lastFlush = now;
        return writes;
    }

    private void write(String name, String content, long now) {
        ConfigMap desired = new ConfigMapBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                .addToLabels(Labels.COMPONENT, COMPONENT)
                .addToLabels(REPLICA_LABEL, replicaId)
                .addToAnnotations(FLUSHED_AT, Instant.ofEpochMilli(now).toString())
                .endMetadata()
                .addToData(DATA_KEY, content)
                .build();
        Written w = written.get(name);
        ConfigMap result;
        try {
            if (w == null) {
                result = client.configMaps().inNamespace(namespace).resource(desired).create();
            } else {
                desired.getMetadata().setResourceVersion(w.resourceVersion());
                result = client.configMaps().inNamespace(namespace).resource(desired).update();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) {
                throw e;
            }
            // Only this replica writes this object; a conflict means it is left from an earlier run.
            ConfigMap existing = client.configMaps().inNamespace(namespace).withName(name).get();
            if (existing == null) {
                desired.getMetadata().setResourceVersion(null);
                result = client.configMaps().inNamespace(namespace).resource(desired).create();
            } else {
                desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                result = client.configMaps().inNamespace(namespace).resource(desired).update();
            }
        }
        written.put(name, new Written(content, result.getMetadata().getResourceVersion()));
    }

    /** Deletes this replica's shards that are no longer used (fewer scanners, or left from an earlier run). */
    private int dropShardsOtherThan(Set<String> current) {
        Set<String> obsolete = new HashSet<>();
        for (String name : written.keySet()) {
            if (!current.contains(name)) {
                obsolete.add(name);
            }
        }
        if (!previousShardsChecked) {
            try {
                client.configMaps().inNamespace(namespace)
                        .withLabel(Labels.COMPONENT, COMPONENT).withLabel(REPLICA_LABEL, replicaId)
                        .list().getItems().forEach(cm -> {
                            if (!current.contains(cm.getMetadata().getName())) {
                                obsolete.add(cm.getMetadata().getName());
                            }
                        });
                previousShardsChecked = true;
            } catch (KubernetesClientException e) {
                LOG.debugf("Could not list earlier heartbeat ledgers: HTTP %d", e.getCode());
            }
        }
        int writes = 0;
        for (String name : obsolete) {
            try {
                client.configMaps().inNamespace(namespace).withName(name).delete();
                written.remove(name);
                writes++;
            } catch (KubernetesClientException e) {
                LOG.debugf("Could not delete heartbeat ledger %s: HTTP %d", name, e.getCode());
            }
        }
        return writes;
    }

    private static int utf8Length(String text) {
        int n = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                n += c >= 0x800 ? 2 : 1;
            }
        }
        return n;
    }

    String shardName(int shard) {
        return NAME_PREFIX + replicaId + "-" + shard;
    }
}
