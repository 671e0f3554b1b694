package io.mipo.operator.api.auth;

/** The authenticated caller of the current request (request-scoped; set by the auth filter). */
public interface CurrentUser {
    /** The Kubernetes user name; becomes createdBy / last-modified-by. */
    String name();

    /** The namespace the facade works in for this request. */
    String namespace();
}
