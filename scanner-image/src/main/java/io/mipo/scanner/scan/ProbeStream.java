package io.mipo.scanner.scan;

import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A sequence of probe targets with its own rate: one assignment's subnet × ports, in
 * port-major order (every address on the first port, then the next port), which spreads
 * the load over the target hosts instead of hammering one host after the other.
 */
public final class ProbeStream {
    private final String label;
    private final Iterator<InetSocketAddress> targets;
    private final ProbePacer pacer;

    public ProbeStream(String label, Iterator<InetSocketAddress> targets, ProbePacer pacer) {
        this.label = label;
        this.targets = targets;
        this.pacer = pacer;
    }

    public static ProbeStream of(String label, Subnet subnet, PortList ports, double probesPerSecond) {
        return new ProbeStream(label, targets(subnet, ports), new ProbePacer(probesPerSecond));
    }

    /** Lazily enumerates subnet × ports: a /8 with many ports costs no memory. */
    public static Iterator<InetSocketAddress> targets(Subnet subnet, PortList ports) {
        long addresses = subnet.size();
        long total = addresses * ports.size();
        return new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public InetSocketAddress next() {
                if (next >= total) {
                    throw new NoSuchElementException();
                }
                long i = next++;
                return new InetSocketAddress(subnet.address(i % addresses), ports.get((int) (i / addresses)));
            }
        };
    }

    public String label() {
        return label;
    }

    Iterator<InetSocketAddress> targets() {
        return targets;
    }

    ProbePacer pacer() {
        return pacer;
    }
}
