package io.mipo.operator.faults;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the test fields {@link FaultyApiServer} fills: the {@link ApiFaults} injector, and a
 * {@code KubernetesClient} whose requests are never faulted (the test's own kubectl).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectFaults {
}
