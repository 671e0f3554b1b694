package io.mipo.operator.api.auth;

/**
 * One question for a SubjectAccessReview: may the caller {@code verb} the {@code resource}
 * (optionally its {@code subresource}, optionally the object {@code name}) of group mipo.io in
 * {@code namespace}? Empty strings stand for "none" so the record can be a cache key.
 */
public record AccessRequest(String verb, String resource, String subresource, String namespace, String name) {
    public static final String GROUP = "mipo.io";

    public AccessRequest {
        subresource = subresource == null ? "" : subresource;
        name = name == null ? "" : name;
    }

    /** For messages: "update scanners/regenerate-token edge-1 in namespace default". */
    public String describe() {
        return verb + " " + resource + "." + GROUP + (subresource.isEmpty() ? "" : "/" + subresource)
                + (name.isEmpty() ? "" : " '" + name + "'") + " in namespace " + namespace;
    }
}
