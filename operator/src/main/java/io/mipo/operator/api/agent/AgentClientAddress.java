package io.mipo.operator.api.agent;

import io.mipo.operator.net.ClientAddresses;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The client address of an agent call, in one place: the socket peer, or what trusted proxies
 * ({@code mipo.http.trusted-proxies}) say in {@code X-Forwarded-For}, read right to left
 * (see {@link ClientAddresses}); IPv4-mapped IPv6 unmapped.
 */
@ApplicationScoped
public class AgentClientAddress {

    @Inject
    ClientAddresses addresses;

    public Optional<InetAddress> of(HttpServerRequest request) {
        return request == null ? Optional.empty() : addresses.of(request);
    }
}
