package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.WatchedNamespaces;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A new API key is honoured on every replica at once. A replica learns of a registration through its
 * Secrets informer, usually within a second; until then the agent's first heartbeat, sent right after
 * its registration answer, could reach a replica that does not know the key yet. So when a
 * well-formed key is unknown and the agent names its scanner ({@code X-Mipo-Scanner} header), this
 * replica reads that scanner's two Secrets from the API server once, feeds them to its
 * {@link CredentialIndex} and looks again before answering 401.
 *
 * <p>Reads are bounded, so a flood of bad keys cannot turn into a flood of API calls: one read per
 * scanner name every {@link #PER_SCANNER_GAP_MS}, and at most {@link #PER_SECOND} reads a second
 * on this replica; past that the answer is 401 at once (the agent retries a 401 for two minutes).
 */
@ApplicationScoped
public class LateRegistrations {
    private static final Logger LOG = Logger.getLogger(LateRegistrations.class);
    public static final String SCANNER_HEADER = "X-Mipo-Scanner";
    static final long PER_SCANNER_GAP_MS = 2_000;
    static final int PER_SECOND = 20;
    private static final int MAX_REMEMBERED = 10_000;
    private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

    @Inject
    KubernetesClient client;

    @Inject
    CredentialIndex index;

    @Inject
    WatchedNamespaces watched;

    Clock clock = Clock.systemUTC();

    private final Map<String, Long> lastRead = new ConcurrentHashMap<>();
    private long windowStart;
    private int readsInWindow;

    /** The owner of the key after reading the named scanner's Secrets, if that makes the key known. */
    public Optional<ScannerRef> lookUp(byte[] keyHash, String scanner) {
        if (scanner == null || !NAME.matcher(scanner).matches() || !mayRead(scanner)) {
            return Optional.empty();
        }
        try {
            for (Secret s : secretsOf(scanner)) {
                index.observed(s);
            }
        } catch (KubernetesClientException e) {
            LOG.debugf("Could not read the Secrets of scanner %s: HTTP %d", scanner, e.getCode());
            return Optional.empty();
        }
        Optional<ScannerRef> owner = index.keyOwner(keyHash);
        owner.ifPresent(ref -> LOG.debugf("Scanner %s: a key this replica had not seen yet was found in its credentials Secret", ref));
        return owner;
    }

    private List<Secret> secretsOf(String scanner) {
        if (watched.all()) {
            return client.secrets().inAnyNamespace()
                    .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).withLabel(Labels.SCANNER, scanner)
                    .list().getItems();
        }
        List<Secret> out = new ArrayList<>();
        for (String ns : watched.only().orElseThrow()) {
            out.addAll(client.secrets().inNamespace(ns)
                    .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).withLabel(Labels.SCANNER, scanner)
                    .list().getItems());
        }
        return out;
    }

    private synchronized boolean mayRead(String scanner) {
        long now = clock.millis();
        Long last = lastRead.get(scanner);
        if (last != null && now - last < PER_SCANNER_GAP_MS) {
            return false;
        }
        if (now - windowStart >= 1_000) {
            windowStart = now;
            readsInWindow = 0;
        }
        if (readsInWindow >= PER_SECOND) {
            return false;
        }
        readsInWindow++;
        if (lastRead.size() >= MAX_REMEMBERED) {
            lastRead.values().removeIf(t -> now - t >= PER_SCANNER_GAP_MS);
        }
        lastRead.put(scanner, now);
        return true;
    }
}
