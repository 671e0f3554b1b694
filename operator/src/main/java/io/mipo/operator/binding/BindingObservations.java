package io.mipo.operator.binding;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.Mismatch;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingStatus;
import io.mipo.operator.net.IpAddresses;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What agent calls tell about a binding, and how it reaches the ScannerBinding's status.
 *
 * <p>Rule for the status: the binding reconciler rebuilds conditions and the explicit bound value
 * each pass and carries the observation fields over unchanged; only this class (on whichever
 * replica took the agent call) and a release (a user action) change the observation fields
 * ({@code boundValue}/{@code learnedAt} when learned, the mismatch fields, {@code lastSeenAddress}).
 * Every such change is a read-modify-write of the status subresource with the resourceVersion read
 * (optimistic locking; a 409 is retried on fresh state), so replicas never overwrite each other's
 * counts and the learned value is durable the moment the call that learned it is answered.
 *
 * <p>Learning happens once per binding and is written at once. Mismatches are counted in memory
 * and flushed every {@code mipo.binding.status-flush-interval}: a flood of calls from a stolen key
 * costs one status write per binding per interval, not one per call. Unflushed counts are tied to
 * the value they were counted against; if that changed (released, re-learned, edited) they are
 * dropped rather than added to the new binding's counter.
 */
@ApplicationScoped
public class BindingObservations {
    private static final Logger LOG = Logger.getLogger(BindingObservations.class);
    public static final int RECENT_ADDRESSES = 10;
    public static final String EVENT_REASON = "BindingMismatch";
    public static final String METRIC = "mipo.binding.mismatches";
    private static final int EVENT_ADDRESSES = 5;

    @Inject
    KubernetesClient client;

    @Inject
    BindingStatusUpdates statusUpdates;

    @Inject
    MipoConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    BindingIndex index;

    Clock clock = Clock.systemUTC();

    public record Key(String namespace, String name) {
        static Key of(EffectiveBinding b) {
            return new Key(b.namespace(), b.name());
        }
    }

    private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** Observations of one binding not yet in its status (guarded by its own monitor). */
    private static final class Tally {
        String uid;
        /** The bound value the unflushed mismatches were counted against ("" while learning). */
        String epoch = "";
        BindingMode mode;
        Enforcement enforcement;
        long unflushed;
        String lastAddress;
        Instant lastTime;
        final LinkedList<String> recent = new LinkedList<>();
        String seen;
        long unreported;
        final LinkedHashSet<String> unreportedAddresses = new LinkedHashSet<>();
        Instant firstUnreported;
        Instant lastUnreported;
        Instant lastEventAt;
        boolean retired;

        boolean idle() {
            return unflushed == 0 && seen == null && unreported == 0;
        }
    }

    /** What one flush writes. */
    private record Flush(String uid, String epoch, long mismatches, String lastAddress, Instant lastTime,
                         List<String> recent, String seen) {
    }

    // ---- recording (on the agent call's thread; memory only) ----

    /** Counts a call whose address did not satisfy the binding (accepted or not). */
    public void mismatch(EffectiveBinding b, InetAddress address, Instant now) {
        String a = address == null ? "unknown" : IpAddresses.format(IpAddresses.unmap(address));
        String epoch = b.boundValue() == null ? "" : b.boundValue();
        update(Key.of(b), t -> {
            if (!Objects.equals(t.uid, b.uid()) || !Objects.equals(t.epoch, epoch)) {
                t.unflushed = 0;
                t.lastAddress = null;
                t.lastTime = null;
                t.recent.clear();
            }
            t.uid = b.uid();
            t.epoch = epoch;
            t.mode = b.mode();
            t.enforcement = b.enforcement();
            t.unflushed++;
            t.lastAddress = a;
            t.lastTime = now;
            t.recent.remove(a);
            t.recent.addFirst(a);
            while (t.recent.size() > RECENT_ADDRESSES) {
                t.recent.removeLast();
            }
            t.seen = a;
            t.unreported++;
            if (t.unreportedAddresses.size() < EVENT_ADDRESSES) {
                t.unreportedAddresses.add(a);
            }
            if (t.firstUnreported == null) {
                t.firstUnreported = now;
            }
            t.lastUnreported = now;
        });
        counters.computeIfAbsent(b.mode() + "/" + b.enforcement(), k -> Counter.builder(METRIC)
                .description("Agent calls whose source address did not satisfy the scanner's binding (rejected or audited)")
                .tag("mode", b.mode().name()).tag("enforcement", b.enforcement().name())
                .register(registry)).increment();
    }

    /** Notes the address a call came from, when it differs from the one in status (no work otherwise). */
    public void seen(ScannerBinding cached, InetAddress address) {
        if (address == null) {
            return;
        }
        String a = IpAddresses.format(IpAddresses.unmap(address));
        String known = cached.getStatus() == null ? null : cached.getStatus().getLastSeenAddress();
        Key key = new Key(cached.getMetadata().getNamespace(), cached.getMetadata().getName());
        Tally existing = tallies.get(key);
        if (a.equals(known) && (existing == null || existing.seen == null)) {
            return;
        }
        update(key, t -> {
            t.uid = cached.getMetadata().getUid();
            t.seen = a;
        });
    }

    private void update(Key key, java.util.function.Consumer<Tally> change) {
        while (true) {
            Tally t = tallies.computeIfAbsent(key, k -> new Tally());
            synchronized (t) {
                if (!t.retired) {
                    change.accept(t);
                    return;
                }
            }
        }
    }

    /** Drops what this replica has not flushed yet (release: the counters start again at zero). */
    public void forget(String namespace, String name) {
        Tally t = tallies.remove(new Key(namespace, name));
        if (t != null) {
            synchronized (t) {
                t.retired = true;
            }
        }
    }

    // ---- learning (one status write, at once) ----

    /**
     * Pins a value learned from {@code address} unless the binding already has one (an explicit
     * value, or one another call or replica learned first; then that one is returned).
     *
     * @param valueFor the value to pin for the binding's current mode, or empty when none can be learned
     * @return the binding as it stands afterwards; empty when it no longer exists
     */
    public Optional<EffectiveBinding> learn(EffectiveBinding cached, Function<BindingMode, Optional<String>> valueFor,
                                            InetAddress address, Instant now) {
        Key key = Key.of(cached);
        boolean[] learned = {false};
        ScannerBinding after;
        try {
            after = statusUpdates.update(key.namespace(), key.name(), fresh -> {
                EffectiveBinding current = EffectiveBinding.of(fresh);
                if (!current.learning()) {
                    return null;
                }
                Optional<String> value = valueFor.apply(current.mode());
                if (value.isEmpty()) {
                    return null;
                }
                ScannerBindingStatus st = copy(fresh.getStatus());
                st.setBoundValue(value.get());
                st.setLearnedAt(Times.format(now));
                if (address != null) {
                    st.setLastSeenAddress(IpAddresses.format(IpAddresses.unmap(address)));
                }
                learned[0] = true;
                return st;
            });
        } catch (KubernetesClientException | Refusal e) {
            LOG.warnf("Could not record the learned binding of %s/%s: %s", key.namespace(), key.name(), e.getMessage());
            throw new Refusal(Refusal.Kind.UNAVAILABLE, "BINDING_UNAVAILABLE", "the scanner's source-address binding could not be recorded; retry shortly");
        }
        if (after == null) {
            return Optional.empty();
        }
        EffectiveBinding result = EffectiveBinding.of(after);
        if (learned[0]) {
            index.wroteBinding(key.namespace(), key.name());
            LOG.infof("ScannerBinding %s/%s learned %s %s on first use", key.namespace(), key.name(), result.mode(), result.boundValue());
        }
        return Optional.of(result);
    }

    // ---- flushing (bounded rate) ----

    @Scheduled(every = "${mipo.binding.status-flush-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledFlush() {
        flush();
    }

    /** Writes what was observed since the last flush (one status write per changed binding) and due Events. */
    public void flush() {
        Instant now = clock.instant();
        Duration eventInterval = config.binding().mismatchEventInterval();
        for (Map.Entry<Key, Tally> e : tallies.entrySet()) {
            Key key = e.getKey();
            Tally t = e.getValue();
            Flush f = take(t);
            if (f != null && !write(key, f)) {
                putBack(t, f);
            }
            Event event = null;
            synchronized (t) {
                if (t.unreported > 0 && (t.lastEventAt == null || !now.isBefore(t.lastEventAt.plus(eventInterval)))) {
                    event = event(key, t, now);
                    t.unreported = 0;
                    t.unreportedAddresses.clear();
                    t.firstUnreported = null;
                    t.lastUnreported = null;
                    t.lastEventAt = now;
                }
                if (event == null && t.idle() && (t.lastEventAt == null || !now.isBefore(t.lastEventAt.plus(eventInterval)))) {
                    t.retired = true;
                    tallies.remove(key, t);
                }
            }
            if (event != null) {
                try {
                    client.v1().events().inNamespace(key.namespace()).resource(event).create();
                } catch (KubernetesClientException ex) {
                    LOG.warnf("Could not record a %s Event for %s/%s: HTTP %d", EVENT_REASON, key.namespace(), key.name(), ex.getCode());
                }
            }
        }
    }

    private static Flush take(Tally t) {
        synchronized (t) {
            if (t.unflushed == 0 && t.seen == null) {
                return null;
            }
            Flush f = new Flush(t.uid, t.epoch, t.unflushed, t.lastAddress, t.lastTime, List.copyOf(t.recent), t.seen);
            t.unflushed = 0;
            t.recent.clear();
            t.seen = null;
            return f;
        }
    }

    private static void putBack(Tally t, Flush f) {
        synchronized (t) {
            if (!Objects.equals(t.uid, f.uid()) || !Objects.equals(t.epoch, f.epoch())) {
                return;
            }
            t.unflushed += f.mismatches();
            if (t.lastTime == null || (f.lastTime() != null && f.lastTime().isAfter(t.lastTime))) {
                t.lastAddress = f.lastAddress();
                t.lastTime = f.lastTime();
            }
            List<String> merged = mergeRecent(new ArrayList<>(t.recent), f.recent());
            t.recent.clear();
            t.recent.addAll(merged);
            if (t.seen == null) {
                t.seen = f.seen();
            }
        }
    }

    /** Newest first, distinct, at most ten: {@code newer} before {@code older}. */
    static List<String> mergeRecent(List<String> newer, List<String> older) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (newer != null) {
            out.addAll(newer);
        }
        if (older != null) {
            out.addAll(older);
        }
        return out.stream().limit(RECENT_ADDRESSES).toList();
    }

    private boolean write(Key key, Flush f) {
        try {
            statusUpdates.update(key.namespace(), key.name(), fresh -> {
                if (f.uid() != null && !f.uid().equals(fresh.getMetadata().getUid())) {
                    return null;
                }
                EffectiveBinding now = EffectiveBinding.of(fresh);
                ScannerBindingStatus st = copy(fresh.getStatus());
                boolean changed = false;
                String epochNow = now.boundValue() == null ? "" : now.boundValue();
                if (f.mismatches() > 0 && epochNow.equals(f.epoch())) {
                    st.setMismatchCount((st.getMismatchCount() == null ? 0 : st.getMismatchCount()) + f.mismatches());
                    Mismatch m = new Mismatch();
                    m.setAddress(f.lastAddress());
                    m.setTime(Times.format(f.lastTime()));
                    st.setLastMismatch(m);
                    st.setRecentMismatchAddresses(mergeRecent(f.recent(), st.getRecentMismatchAddresses()));
                    changed = true;
                }
                if (f.seen() != null && !f.seen().equals(st.getLastSeenAddress())) {
                    st.setLastSeenAddress(f.seen());
                    changed = true;
                }
                return changed ? st : null;
            });
            return true;
        } catch (KubernetesClientException | Refusal e) {
            LOG.warnf("Could not write the mismatch counters of %s/%s (kept for the next flush): %s",
                    key.namespace(), key.name(), e.getMessage());
            return false;
        }
    }

    private Event event(Key key, Tally t, Instant now) {
        String bound = t.epoch.isEmpty() ? "nothing bound yet" : t.epoch;
        String outcome = t.enforcement == Enforcement.Audit ? "Audit: accepted and counted" : "Enforce: rejected with 403";
        String message = String.format("%d agent call%s from %s did not match the %s binding (%s); %s. "
                        + "If the scanner moved legitimately, release the binding.",
                t.unreported, t.unreported == 1 ? "" : "s", String.join(", ", t.unreportedAddresses)
                        + (t.unreportedAddresses.size() >= EVENT_ADDRESSES ? ", …" : ""),
                t.mode, bound, outcome);
        return new EventBuilder()
                .withNewMetadata()
                .withNamespace(key.namespace())
                .withName(key.name() + "." + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano()))
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(Scanner.GROUP + "/" + Scanner.VERSION)
                        .withKind("ScannerBinding")
                        .withNamespace(key.namespace())
                        .withName(key.name())
                        .withUid(t.uid)
                        .build())
                .withReason(EVENT_REASON)
                .withType("Warning")
                .withMessage(message)
                .withCount((int) Math.min(Integer.MAX_VALUE, t.unreported))
                .withFirstTimestamp(Times.format(t.firstUnreported))
                .withLastTimestamp(Times.format(t.lastUnreported))
                .withNewSource().withComponent("mipo-scanner-operator").endSource()
                .withReportingComponent("mipo.io/scanner-operator")
                .withReportingInstance(Optional.ofNullable(System.getenv("HOSTNAME")).orElse("mipo-scanner-operator"))
                .build();
    }

    static ScannerBindingStatus copy(ScannerBindingStatus s) {
        return s == null ? new ScannerBindingStatus() : Serialization.jsonMapper().convertValue(s, ScannerBindingStatus.class);
    }
}
