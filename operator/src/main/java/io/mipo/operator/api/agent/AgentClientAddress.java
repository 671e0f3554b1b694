package io.mipo.operator.api.agent;

import io.mipo.operator.net.IpAddresses;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The client address of an agent call, in one place. For now the socket peer (IPv4-mapped IPv6
 * unmapped); trusted X-Forwarded-For handling belongs here too.
 */
@ApplicationScoped
public class AgentClientAddress {

    public Optional<InetAddress> of(HttpServerRequest request) {
        SocketAddress remote = request == null ? null : request.remoteAddress();
        if (remote == null || remote.hostAddress() == null) {
            return Optional.empty();
        }
        return IpAddresses.parse(remote.hostAddress());
    }
}
