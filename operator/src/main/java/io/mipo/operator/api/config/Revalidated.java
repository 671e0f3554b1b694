package io.mipo.operator.api.config;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a read whose answer carries an {@code ETag} made from its body, so a client polling it
 * (the web console follows the scanner list this way) sends {@code If-None-Match} and gets a bodiless
 * 304 while nothing changed. See {@link RevalidationFilter}.
 */
@NameBinding
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface Revalidated {
}
