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

    /**
     * The client address of a Vert.x request (what Quarkus REST resources can inject); empty when the
     * peer is not an IP socket. The peer is the connection's: forwarding headers are this class's
     * business alone, through the trusted proxies (asking the request would run Vert.x Web's
     * forwarded-header parser on every heartbeat, to no effect). An IPv4 peer is taken as the socket
     * holds it rather than formatted and parsed again.
     */
    public Optional<InetAddress> of(HttpServerRequest request) {
        if (request == null) {
            return Optional.empty();
        }
        SocketAddress remote = request.connection() != null ? request.connection().remoteAddress() : request.remoteAddress();
        if (remote == null) {
            return Optional.empty();
        }
        java.util.List<String> forwarded = request.headers().getAll(ClientAddresses.X_FORWARDED_FOR);
        if (remote instanceof io.vertx.core.net.impl.SocketAddressImpl socket && socket.ipAddress() instanceof java.net.Inet4Address peer) {
            return Optional.of(addresses.of(peer, forwarded));
        }
        String host = remote.hostAddress();
        return host == null ? Optional.empty() : addresses.of(host, forwarded);
    }
}
