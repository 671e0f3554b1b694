package io.mipo.operator.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one Kubernetes client of the operator, built from Quarkus' client configuration with the
 * {@link WriteCounter} in its HTTP pipeline and {@link SharedStrings} in its decoding. It replaces the extension's default client bean, so
 * the Operator SDK and our own code share it.
 */
public class KubernetesClientProducer {

    @Produces
    @Singleton
    KubernetesClient kubernetesClient(Config config, MeterRegistry registry) {
        WriteCounter counter = new WriteCounter(registry);
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withKubernetesSerialization(serialization())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("mipo-write-counter", counter))
                .build();
    }

    /**
     * fabric8's serialization, with one String object for each value repeated across the decoded
     * objects ({@link SharedStrings}): the informer caches hold every Scanner, ScannerBinding,
     * ScannerGroup and labelled Secret of the fleet.
     */
    static KubernetesSerialization serialization() {
        return new KubernetesSerialization(new ObjectMapper().registerModule(new SharedStrings().module()), true);
    }
}
