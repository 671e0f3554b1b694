package io.mipo.operator.bench;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.testing.FakeJwt;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token floods against the edge while scanners heartbeat (docs/benchmarks.md, "Token floods").
 * Not part of the suite (its name does not end in Test); run with {@code bench/token-floods.sh}.
 * The mock API server answers each TokenReview after {@value #REVIEW_MILLIS} ms, as a real one
 * under load might, and counts them. Each phase: {@code SCANNERS} registered scanners heartbeat at
 * {@code RATE}/s (latency measured from when each heartbeat was due) while {@code FLOOD} distinct
 * bogus tokens of one kind arrive from {@value #FLOODERS} connections as fast as they are answered.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class TokenFloodBench {
    static final int REVIEW_MILLIS = 20;
    static final int FLOODERS = 16;
    private static final String AGENT = "\"version\":\"1.0.0\",\"hostname\":\"bench\",\"os\":\"linux\",\"arch\":\"amd64\"";
    private static final AtomicInteger REVIEWS = new AtomicInteger();

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @TestHTTPResource("/")
    URL base;

    private final int scanners = Integer.getInteger("bench.scanners", 1000);
    private final int rate = Integer.getInteger("bench.rate", 100);
    private final int flood = Integer.getInteger("bench.flood", 10_000);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(8)).connectTimeout(Duration.ofSeconds(10)).build();

    record Phase(String name, int reviews, Map<Integer, Integer> floodStatuses, double floodSeconds, long[] heartbeatMillis, int heartbeatErrors) {
        String row() {
            long[] l = heartbeatMillis.clone();
            Arrays.sort(l);
            return String.format(Locale.ROOT, "| %s | %d | %s | %.1f | %d | %d | %d | %d | %d |", name, reviews, floodStatuses,
                    floodSeconds, l.length, pct(l, 50), pct(l, 99), l.length == 0 ? 0 : l[l.length - 1], heartbeatErrors);
        }

        static long pct(long[] sorted, int p) {
            return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
        }
    }

    @Test
    void floods() throws Exception {
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, req -> {
            REVIEWS.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(REVIEW_MILLIS));
            TokenReview review = Serialization.unmarshal(req.getBody().readUtf8(), TokenReview.class);
            review.setStatus(new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid bearer token").build());
            return review;
        }).always();

        String ns = "default";
        List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        ExecutorService registering = Executors.newFixedThreadPool(8);
        List<Future<?>> registrations = new ArrayList<>();
        for (int i = 0; i < scanners; i++) {
            int n = i;
            registrations.add(registering.submit(() -> {
                CredentialService.IssuedToken t = CredentialFixtures.createWithToken(client, credentials, ns, "bench-" + n);
                HttpResponse<String> r = post("/scanner/register", null, "{\"token\":\"" + t.token() + "\"," + AGENT + "}");
                assertTrue(r.statusCode() == 200, r.body());
                keys.add(r.body().replaceAll("(?s).*\"apiKey\"\\s*:\\s*\"([^\"]+)\".*", "$1"));
                return null;
            }));
        }
        for (Future<?> f : registrations) {
            f.get(10, TimeUnit.MINUTES);
        }
        registering.shutdown();
        System.out.printf(Locale.ROOT, "registered %d scanners in %.1f s%n", scanners, (System.nanoTime() - t0) / 1e9);

        List<Phase> phases = new ArrayList<>();
        phases.add(phase("no flood (baseline)", keys, null));
        phases.add(phase("agent: malformed serviceAccountToken", keys,
                i -> post("/scanner/register", null, "{\"serviceAccountToken\":\"bogus-" + i + "-" + System.nanoTime() + "\"," + AGENT + "}")));
        phases.add(phase("agent: well-formed JWT, audience mipo-scanner", keys,
                i -> post("/scanner/register", null, "{\"serviceAccountToken\":\"" + FakeJwt.of(List.of("mipo-scanner")) + "\"," + AGENT + "}")));
        phases.add(phase("facade: malformed bearer", keys, i -> get("/api/config/scanners", "bogus-" + i + "-" + System.nanoTime())));
        phases.add(phase("facade: well-formed JWT", keys, i -> get("/api/config/scanners", FakeJwt.of(List.of("https://kubernetes.default.svc")))));

        StringBuilder table = new StringBuilder("| phase | TokenReviews caused | flood answers | flood s | heartbeats | p50 ms | p99 ms | max ms | heartbeat errors |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            table.append(p.row()).append('\n');
        }
        System.out.println("TOKEN FLOOD RESULTS (" + scanners + " scanners, " + rate + " heartbeats/s, " + flood + " tokens per flood, "
                + FLOODERS + " flooding connections, TokenReview answered after " + REVIEW_MILLIS + " ms)\n" + table);
    }

    interface Call {
        HttpResponse<String> call(int i) throws Exception;
    }

    private Phase phase(String name, List<String> keys, Call flooder) throws Exception {
        int reviewsBefore = REVIEWS.get();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        ExecutorService floodPool = Executors.newFixedThreadPool(FLOODERS);
        long floodStart = System.nanoTime();
        AtomicLong floodEnd = new AtomicLong();
        List<Future<?>> flooding = new ArrayList<>();
        if (flooder != null) {
            for (int f = 0; f < FLOODERS; f++) {
                flooding.add(floodPool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < flood) {
                        try {
                            statuses.merge(flooder.call(i).statusCode(), 1, Integer::sum);
                        } catch (Exception e) {
                            statuses.merge(-1, 1, Integer::sum);
                        }
                    }
                    floodEnd.accumulateAndGet(System.nanoTime(), Math::max);
                    return null;
                }));
            }
        }
        // heartbeats at a fixed rate for as long as the flood lasts (at least 10 s)
        ExecutorService hbPool = Executors.newFixedThreadPool(32);
        List<Future<Long>> beats = new ArrayList<>();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        for (int n = 0; ; n++) {
            long due = start + n * periodNanos;
            boolean floodDone = flooder == null || flooding.stream().allMatch(Future::isDone);
            if (System.nanoTime() - start > 10_000_000_000L && floodDone) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String key = keys.get(n % keys.size());
            beats.add(hbPool.submit(() -> {
                HttpResponse<String> r = post("/scanner/heartbeat", key, "{\"state\":\"idle\"}");
                if (r.statusCode() != 200) {
                    errors.incrementAndGet();
                }
                return (System.nanoTime() - due) / 1_000_000;
            }));
        }
        long[] latencies = new long[beats.size()];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = beats.get(i).get(60, TimeUnit.SECONDS);
        }
        hbPool.shutdown();
        floodPool.shutdown();
        double floodSeconds = flooder == null ? 0 : (floodEnd.get() - floodStart) / 1e9;
        Phase p = new Phase(name, REVIEWS.get() - reviewsBefore, new java.util.TreeMap<>(statuses), floodSeconds, latencies, errors.get());
        System.out.println(p.row());
        return p;
    }

    private HttpResponse<String> post(String path, String bearer, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString()).resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
