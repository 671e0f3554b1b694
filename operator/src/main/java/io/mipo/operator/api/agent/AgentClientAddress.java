package io.mipo.operator.api.agent;

import io.mipo.operator.net.ClientAddresses;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
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

    /** The client address of a Vert.x request (what Quarkus REST resources can inject); empty when the peer is not an IP socket. */
    public Optional<InetAddress> of(HttpServerRequest request) {
        if (request == null) {
            return Optional.empty();
        }
        SocketAddress remote = request.remoteAddress();
        if (remote == null || remote.hostAddress() == null) {
            return Optional.empty();
        }
        return addresses.of(remote.hostAddress(), request.headers().getAll(ClientAddresses.X_FORWARDED_FOR));
    }
}
