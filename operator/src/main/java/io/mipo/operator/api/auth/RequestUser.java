package io.mipo.operator.api.auth;

import jakarta.enterprise.context.RequestScoped;

import java.util.List;

/**
 * The caller of the current /api request, filled in by {@link AccessFilter} once the token was
 * reviewed. Only a digest of the token is kept, for the decision cache of further checks made
 * during the same request ({@link AccessReviewer#require}).
 */
@RequestScoped
public class RequestUser implements CurrentUser {
    private Identity identity;
    private String namespace;
    private String tokenDigest;
    private boolean staticAdmin;

    void authenticated(Identity identity, String namespace, String tokenDigest, boolean staticAdmin) {
        this.identity = identity;
        this.namespace = namespace;
        this.tokenDigest = tokenDigest;
        this.staticAdmin = staticAdmin;
    }

    public boolean isAuthenticated() {
        return identity != null;
    }

    @Override
    public String name() {
        requireAuthenticated();
        return identity.name();
    }

    @Override
    public String namespace() {
        requireAuthenticated();
        return namespace;
    }

    public List<String> groups() {
        requireAuthenticated();
        return identity.groups();
    }

    Identity identity() {
        requireAuthenticated();
        return identity;
    }

    String tokenDigest() {
        return tokenDigest;
    }

    boolean staticAdmin() {
        return staticAdmin;
    }

    private void requireAuthenticated() {
        if (identity == null) {
            // A bug, not a client error: some code path ran without the access filter.
            throw new IllegalStateException("no authenticated user in this request");
        }
    }
}
