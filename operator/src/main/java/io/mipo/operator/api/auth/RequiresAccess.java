package io.mipo.operator.api.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The Kubernetes permission a facade call needs: the caller's bearer token is checked with a
 * TokenReview and this verb with a SubjectAccessReview on {@code <resource>.mipo.io} in the
 * namespace (docs/api.md). Every method under /api must carry it; a method without it is refused.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD})
public @interface RequiresAccess {
    /** get, list, create, update, patch, delete */
    String verb();

    /** scanners, scannerbindings, scannergroups */
    String resource() default "scanners";

    /** e.g. "regenerate-token"; empty for none */
    String subresource() default "";
}
