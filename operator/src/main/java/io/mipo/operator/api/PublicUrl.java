package io.mipo.operator.api;

import io.mipo.operator.credentials.InstallCommand;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.UriInfo;

/**
 * The base URL agents and install commands use: {@code mipo.public-url}. The request's scheme and
 * host are used only where {@link InstallCommand#baseUrl} allows it (standalone mode, dev and test
 * runs): behind a TLS-terminating proxy they would put {@code http://} into a root install command.
 */
@ApplicationScoped
public class PublicUrl {
    @Inject
    InstallCommand installCommand;

    public String baseUrl(UriInfo request) {
        return baseUrl(request == null ? null : request.getBaseUri().toString());
    }

    /** @param requestBaseUrl the request's base URL, or null when there is no request */
    public String baseUrl(String requestBaseUrl) {
        return installCommand.baseUrl(requestBaseUrl);
    }
}
