package io.mipo.operator.liveness;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.kube.WriteCounter;

import java.util.Map;
import java.util.TreeMap;

/** Reads mipo_kubernetes_writes_total from the registry, per "verb resource". */
public final class WriteCounts {
    private WriteCounts() {
    }

    public static Map<String, Double> snapshot(MeterRegistry registry) {
        Map<String, Double> out = new TreeMap<>();
        for (Counter c : registry.find(WriteCounter.METRIC).counters()) {
            out.merge(c.getId().getTag("verb") + " " + c.getId().getTag("resource"), c.count(), Double::sum);
        }
        return out;
    }

    public static double of(MeterRegistry registry, String resource) {
        return snapshot(registry).entrySet().stream()
                .filter(e -> e.getKey().endsWith(" " + resource))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    public static double total(MeterRegistry registry) {
        return snapshot(registry).values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
