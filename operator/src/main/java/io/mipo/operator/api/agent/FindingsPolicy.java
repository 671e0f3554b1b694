package io.mipo.operator.api.agent;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.RetryLater;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.net.IpAddresses;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.PortList;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a scanner may report: findings only for targets it was assigned (else 422
 * {@code TARGET_NOT_ASSIGNED}, the batch refused whole), and at most
 * {@code mipo.limits.findings-per-minute} of them (a token bucket per scanner holding one minute's
 * worth; beyond it 429 {@code FINDINGS_RATE_LIMITED} with Retry-After). A stolen key can then
 * neither plant results for other networks nor flood the results log.
 */
@ApplicationScoped
public class FindingsPolicy {
    static final int MAX_ERRORS_REPORTED = 20;

    @Inject
    MipoConfig config;

    Clock clock = Clock.systemUTC();

    private final Cache<ScannerRef, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    /** One parsed assignment: its subnet and ports. */
    record Target(Cidr subnet, PortList ports) {
        boolean covers(InetAddress ip, int port) {
            if (!subnet.contains(ip)) {
                return false;
            }
            for (int[] r : ports.ranges()) {
                if (port >= r[0] && port <= r[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * @param assigned the scanner's full assignments
     * @throws ApiException 422 when a finding is outside them, 429 when the scanner reports too fast
     */
    public void check(ScannerRef ref, List<AgentWorkResource.WorkItem> assigned, List<Findings.Finding> findings) {
        List<Target> targets = new ArrayList<>();
        for (AgentWorkResource.WorkItem w : assigned) {
            Optional<Cidr> c = Cidr.parse(w.subnet());
            if (c.isPresent()) {
                try {
                    targets.add(new Target(c.get(), PortList.parse(w.ports())));
                } catch (IllegalArgumentException e) {
                    // an assignment the agent could not have scanned either
                }
            }
        }
        List<FieldError> errors = new ArrayList<>();
        int outside = 0;
        for (int i = 0; i < findings.size(); i++) {
            Findings.Finding f = findings.get(i);
            InetAddress ip = IpAddresses.parse(f.ip()).orElse(null);
            if (ip == null || targets.stream().noneMatch(t -> t.covers(ip, f.port()))) {
                outside++;
                if (errors.size() < MAX_ERRORS_REPORTED) {
                    errors.add(new FieldError("findings[" + i + "]", "TargetNotAssigned",
                            "findings[" + i + "] (" + f.ip() + ":" + f.port() + ") is not in any target assigned to this scanner"));
                }
            }
        }
        if (outside > 0) {
            throw new ApiException(422, "TARGET_NOT_ASSIGNED", "Unprocessable content", outside + " of " + findings.size()
                    + " findings are for targets not assigned to this scanner; the batch was not taken", errors);
        }
        take(ref, findings.size());
    }

    private void take(ScannerRef ref, int n) {
        if (n == 0) {
            return;
        }
        int perMinute = Math.max(1, config.limits().findingsPerMinute());
        Bucket b = buckets.get(ref, r -> new Bucket(perMinute, clock.millis()));
        long waitMillis = b.take(n, perMinute, clock.millis());
        if (waitMillis > 0) {
            throw new RetryLater("FINDINGS_RATE_LIMITED", "this scanner reports more than " + perMinute
                    + " findings per minute (mipo.limits.findings-per-minute); the batch was not taken, send it again later",
                    (waitMillis + 999) / 1000);
        }
    }

    /** A token bucket of findings: holds at most one minute's worth, refills continuously. */
    static final class Bucket {
        private double tokens;
        private long at;

        Bucket(int perMinute, long now) {
            this.tokens = perMinute;
            this.at = now;
        }

        /** Takes n tokens and returns 0, or takes none and returns how long until n are there. */
        synchronized long take(int n, int perMinute, long now) {
            double perMilli = perMinute / 60_000.0;
            tokens = Math.min(perMinute, tokens + Math.max(0, now - at) * perMilli);
            at = now;
            if (n > perMinute) {
                return 60_000; // never fits: the agent must send smaller batches
            }
            if (tokens >= n) {
                tokens -= n;
                return 0;
            }
            return (long) Math.ceil((n - tokens) / perMilli);
        }
    }
}
