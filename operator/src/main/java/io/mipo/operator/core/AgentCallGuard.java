package io.mipo.operator.core;

import java.net.InetAddress;

/**
 * A check run on every agent call once the scanner is identified (register, heartbeat,
 * assignments, results, uninstall, download). The source-address binding is one: it throws
 * a FORBIDDEN {@code Refusal} with code IP_BINDING_VIOLATION to refuse, and counts mismatches.
 * Implementations are CDI beans; the ingest API calls all of them.
 */
public interface AgentCallGuard {

    enum Call { REGISTER, HEARTBEAT, ASSIGNMENTS, RESULTS, UNINSTALL, DOWNLOAD }

    /**
     * @param clientAddress the client's address as resolved from the socket peer and trusted
     *                      X-Forwarded-For hops (IPv4-mapped IPv6 already unmapped)
     */
    void check(String namespace, String scannerName, InetAddress clientAddress, Call call);

    /**
     * Whether {@link #check} may block the calling thread for this scanner now (e.g. write to the
     * Kubernetes API); the ingest API then runs the call on a worker thread instead of the event
     * loop. The default is the safe answer.
     */
    default boolean mayBlock(String namespace, String scannerName, Call call) {
        return true;
    }
}
