package io.mipo.operator.liveness;

import io.fabric8.kubernetes.api.model.Pod;
import io.mipo.operator.credentials.PodKeys;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.Instance;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.scanner.DaemonSetWorkload;
import io.mipo.operator.scanner.ScannerStatusContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code status.instances} of a DaemonSet scanner: one entry per pod of its DaemonSet, with the
 * node, the address its calls come from, its last heartbeat and its phase (Pending until the pod
 * registers, then Active or Offline by its own heartbeats). Runs after {@link LivenessStatusContributor} and,
 * for DaemonSet scanners only, decides the scanner's phase from its instances: Active when at least
 * one instance is, Offline when instances registered but none is heard from, else Pending.
 *
 * <p>Each pod's heartbeats are kept in the heartbeat ledger under the key {@link #instanceRef}, so
 * sightings taken by other replicas count too. An instance's lastHeartbeatTime is rewritten only on
 * a phase change or after status-refresh, so heartbeats alone do not cause status writes.
 */
@ApplicationScoped
public class InstancesStatusContributor implements ScannerStatusContributor {

    @Inject
    Liveness liveness;

    @Inject
    PodKeys keys;

    @Inject
    ScannerPhases phases;

    /** The ledger key of one pod's heartbeats: '/' cannot occur in a Kubernetes name, so it never clashes with a scanner. */
    public static ScannerRef instanceRef(ScannerRef scanner, String pod) {
        return new ScannerRef(scanner.namespace(), scanner.name() + "/" + pod);
    }

    @Override
    public int order() {
        return ScannerStatusContributor.Order.INSTANCES;
    }

    @Override
    public Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now) {
        if (!DaemonSetWorkload.isDaemonSetMode(scanner)) {
            next.setInstances(null);
            return Optional.empty();
        }
        ScannerRef ref = ScannerRef.of(scanner);
        LivenessSettings settings = liveness.settings();
        Map<String, Instance> shown = new HashMap<>();
        if (previous.getInstances() != null) {
            previous.getInstances().forEach(i -> shown.put(i.getPod(), i));
        }
        List<Pod> pods = new ArrayList<>(keys.pods(ref));
        pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));

        List<Instance> instances = new ArrayList<>();
        Instant earliestRegistration = null;
        Instant latestHeartbeat = null;
        Duration recheck = null;
        int registered = 0;
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            Instance i = new Instance();
            i.setPod(name);
            i.setNode(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
            Optional<PodKeys.PodKey> key = keys.ofPod(ref.namespace(), name)
                    .filter(k -> Objects.equals(k.podUid(), pod.getMetadata().getUid()));
            if (key.isEmpty() || key.get().registeredAt() == null) {
                i.setPhase(Phase.Pending);
                instances.add(i);
                continue;
            }
            registered++;
            Instant registeredAt = key.get().registeredAt();
            Sighting sighting = liveness.sighting(instanceRef(ref, name)).filter(s -> !s.lastSeen().isBefore(registeredAt)).orElse(null);
            Instant lastSeen = sighting == null ? registeredAt : sighting.lastSeen();
            Instant offlineAt = lastSeen.plus(settings.offlineAfter());
            Phase phase = now.isBefore(offlineAt) ? Phase.Active : Phase.Offline;
            if (phase == Phase.Active) {
                Duration untilOffline = Duration.between(now, offlineAt).plusMillis(50);
                recheck = recheck == null || untilOffline.compareTo(recheck) < 0 ? untilOffline : recheck;
            }
            i.setPhase(phase);
            String address = sighting != null && sighting.facts() != null && sighting.facts().sourceAddress() != null
                    ? sighting.facts().sourceAddress()
                    : key.get().agent() == null ? null : key.get().agent().sourceAddress();
            i.setAddress(address);
            Instance before = shown.get(name);
            Instant shownTime = before == null ? null : Times.parse(before.getLastHeartbeatTime());
            boolean rewrite = before == null || before.getPhase() != phase || shownTime == null
                    || !Objects.equals(before.getAddress(), address)
                    || !lastSeen.isBefore(shownTime.plus(settings.statusRefresh()));
            i.setLastHeartbeatTime(rewrite ? Times.format(lastSeen) : before.getLastHeartbeatTime());
            instances.add(i);
            earliestRegistration = earliestRegistration == null || registeredAt.isBefore(earliestRegistration) ? registeredAt : earliestRegistration;
            Instant visible = Times.parse(i.getLastHeartbeatTime());
            latestHeartbeat = latestHeartbeat == null || visible.isAfter(latestHeartbeat) ? visible : latestHeartbeat;
        }
        next.setInstances(instances);

        Phase phase = instances.stream().anyMatch(i -> i.getPhase() == Phase.Active) ? Phase.Active
                : registered > 0 ? Phase.Offline : Phase.Pending;
        next.setPhase(phase);
        next.setRegisteredAt(earliestRegistration == null ? null : Times.format(earliestRegistration));
        next.setLastHeartbeatTime(latestHeartbeat == null ? null : Times.format(latestHeartbeat));
        next.setAgent(null);
        next.getConditions().removeIf(c -> Conditions.REGISTERED.equals(c.getType()));
        next.getConditions().add(registered > 0
                ? Conditions.of(Conditions.REGISTERED, true, "PodsRegistered",
                        registered + " of " + pods.size() + " pods registered with their service account token.", scanner.getMetadata().getGeneration())
                : Conditions.of(Conditions.REGISTERED, false, "NoPodRegistered",
                        pods.isEmpty() ? "The DaemonSet has no pods yet (check its node selector and tolerations)."
                                : "None of the " + pods.size() + " pods has registered yet.", scanner.getMetadata().getGeneration()));
        boolean disabled = Boolean.TRUE.equals(scanner.getSpec().getDisabled());
        // Tell the sweeper what was decided, so that a silent scanner is looked at again.
        phases.put(ref, new ScannerPhases.Observed(phase, disabled, null, now.toEpochMilli()));
        return Optional.ofNullable(recheck);
    }
}
