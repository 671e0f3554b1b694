package io.mipo.operator.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one Kubernetes client of the operator, built from Quarkus' client configuration with the
 * {@link WriteCounter} in its HTTP pipeline. It replaces the extension's default client bean, so
 * the Operator SDK and our own code share it.
 */
public class KubernetesClientProducer {

    @Produces
    @Singleton
    KubernetesClient kubernetesClient(Config config, MeterRegistry registry) {
        WriteCounter counter = new WriteCounter(registry);
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("mipo-write-counter", counter))
                .build();
    }
}
