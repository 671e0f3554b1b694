package io.mipo.operator.api.config;

import io.mipo.operator.auth.CurrentUser;
import jakarta.enterprise.context.RequestScoped;

/** TEMPORARY until the facade's access filter is merged: every request is "group-tester" in {@link #namespace}. */
@RequestScoped
public class InterimCurrentUser implements CurrentUser {
    static volatile String namespace = "default";

    @Override
    public String name() {
        return "group-tester";
    }

    @Override
    public String namespace() {
        return namespace;
    }
}
