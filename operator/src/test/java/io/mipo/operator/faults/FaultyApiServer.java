package io.mipo.operator.faults;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;

/**
 * The fabric8 mock API server (CRUD mode, the committed CRDs installed) with {@link ApiFaults} in
 * front of its dispatcher, for the fault-injection @QuarkusTests. The seed is
 * {@code -Dfault.seed=...} (the same property FaultKillIT reads), else random; it is printed.
 * The operator's client gets a 2 s request timeout, and a "timed out" write is answered after 5 s.
 */
public class FaultyApiServer implements QuarkusTestResourceLifecycleManager {
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration TIMEOUT_DELAY = Duration.ofSeconds(5);

    private KubernetesMockServer server;
    private ApiFaults faults;
    private KubernetesClient kubectl;

    @Override
    public Map<String, String> start() {
        long seed = Long.getLong("fault.seed", System.nanoTime());
        System.out.println("FaultyApiServer: fault seed " + seed + " (replay with -Dfault.seed=" + seed + ")");
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        faults = new ApiFaults(new KubernetesMixedDispatcher(responses), seed, TIMEOUT_DELAY);
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(Serialization.jsonMapper()), new MockWebServer(), responses, faults, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        String url = server.url("/");
        kubectl = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(url).withTrustCerts(true).withNamespace("test")
                .withUserAgent(ApiFaults.EXEMPT_AGENT).build()).build();
        for (String f : TestResources.CRD_FILES) {
            kubectl.resource(TestResources.crd(f)).create();
        }
        Map<String, String> config = new LinkedHashMap<>();
        // As the Quarkus Kubernetes test resource does: the operator's client reads these.
        config.put("kubernetes.master", url);
        config.put("kubernetes.trust.certificates", "true");
        config.put("kubernetes.auth.tryKubeConfig", "false");
        config.put("kubernetes.auth.tryServiceAccount", "false");
        config.put("kubernetes.namespace", "test");
        config.put("kubernetes.http2.disable", "true");
        config.put("kubernetes.request.timeout", String.valueOf(REQUEST_TIMEOUT.toMillis()));
        config.forEach(System::setProperty);
        config.put("quarkus.kubernetes-client.api-server-url", url);
        config.put("quarkus.kubernetes-client.trust-certs", "true");
        config.put("quarkus.kubernetes-client.request-timeout", REQUEST_TIMEOUT.toMillis() + "ms");
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(faults, new TestInjector.AnnotatedAndMatchesType(InjectFaults.class, ApiFaults.class));
        injector.injectIntoFields(kubectl, new TestInjector.AnnotatedAndMatchesType(InjectFaults.class, KubernetesClient.class));
    }

    @Override
    public void stop() {
        if (kubectl != null) {
            kubectl.close();
        }
        if (server != null) {
            server.destroy();
        }
    }
}
