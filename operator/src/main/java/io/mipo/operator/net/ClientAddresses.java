package io.mipo.operator.net;

import io.mipo.operator.config.MipoConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The client address of an HTTP request as the ingest API must see it (docs/api.md#agent-ingest-api): the socket
 * peer, or, when the peer is one of {@code mipo.http.trusted-proxies}, what the trusted part of
 * {@code X-Forwarded-For} says (see {@link ForwardedFor}). Never resolves names.
 */
@ApplicationScoped
public class ClientAddresses {
    public static final String X_FORWARDED_FOR = "X-Forwarded-For";

    @Inject
    MipoConfig config;

    private volatile TrustedProxies trusted = TrustedProxies.NONE;

    @PostConstruct
    void init() {
        trusted = TrustedProxies.parse(config.http().trustedProxies().orElse(List.of()));
    }

    public TrustedProxies trustedProxies() {
        return trusted;
    }

    /** The client address given the peer's address literal and the X-Forwarded-For header values. */
    public Optional<InetAddress> of(String peerAddress, List<String> xForwardedFor) {
        return IpAddresses.parse(peerAddress)
                .map(peer -> ForwardedFor.clientAddress(peer, xForwardedFor, trusted));
    }

    /** The same for a peer already known as an address. */
    public InetAddress of(InetAddress peer, List<String> xForwardedFor) {
        return ForwardedFor.clientAddress(IpAddresses.unmap(peer), xForwardedFor, trusted);
    }
}
