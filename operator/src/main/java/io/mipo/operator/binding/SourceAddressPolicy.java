package io.mipo.operator.binding;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.net.AsnDatabase;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.net.IpAddresses;
import io.mipo.operator.validation.BindingRules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Whether a client address satisfies a binding, and what a binding learns from an address on first
 * use. Pure: the AS database is passed in (empty when none is available, which fails closed).
 */
public final class SourceAddressPolicy {
    /** A learned subnet is the client's /24 (IPv4) or /64 (IPv6). */
    public static final int LEARNED_IPV4_PREFIX = 24;
    public static final int LEARNED_IPV6_PREFIX = 64;

    private SourceAddressPolicy() {
    }

    /** The outcome of a check; {@code problem} says why it failed, for the 403 detail and logs. */
    public record Outcome(boolean matches, String problem) {
        static final Outcome MATCH = new Outcome(true, null);

        static Outcome fail(String problem) {
            return new Outcome(false, problem);
        }
    }

    /** The value to pin for {@code mode} when a scanner first calls from {@code address}, or a problem. */
    public record Learnable(Optional<String> value, String problem) {
    }

    public static Learnable learnable(BindingMode mode, InetAddress address, Optional<AsnDatabase> asn) {
        if (address == null) {
            return new Learnable(Optional.empty(), "the client address is unknown");
        }
        InetAddress a = IpAddresses.unmap(address);
        return switch (mode) {
            case ip -> new Learnable(Optional.of(IpAddresses.format(a)), null);
            case subnet -> new Learnable(Optional.of(Cidr.containing(a,
                    a instanceof Inet4Address ? LEARNED_IPV4_PREFIX : LEARNED_IPV6_PREFIX).toString()), null);
            case asn -> {
                if (asn.isEmpty()) {
                    yield new Learnable(Optional.empty(), "no AS database is available to learn the address's AS");
                }
                OptionalLong n = asn.get().asnOf(a);
                yield n.isPresent()
                        ? new Learnable(Optional.of("AS" + n.getAsLong()), null)
                        : new Learnable(Optional.empty(), "the AS database does not know the address " + IpAddresses.format(a));
            }
            case none -> new Learnable(Optional.empty(), "mode none binds nothing");
        };
    }

    public static Outcome check(BindingMode mode, String boundValue, InetAddress address, Optional<AsnDatabase> asn) {
        if (mode == BindingMode.none) {
            return Outcome.MATCH;
        }
        if (address == null) {
            return Outcome.fail("the client address is unknown");
        }
        InetAddress a = IpAddresses.unmap(address);
        switch (mode) {
            case ip -> {
                Optional<InetAddress> bound = IpAddresses.parse(boundValue);
                if (bound.isEmpty()) {
                    return Outcome.fail("the bound value is not an address");
                }
                return Arrays.equals(IpAddresses.unmap(bound.get()).getAddress(), a.getAddress())
                        ? Outcome.MATCH : Outcome.fail("the address is not the bound address");
            }
            case subnet -> {
                Optional<Cidr> bound = Cidr.parse(boundValue);
                if (bound.isEmpty()) {
                    return Outcome.fail("the bound value is not a CIDR");
                }
                return bound.get().contains(a) ? Outcome.MATCH : Outcome.fail("the address is outside the bound subnet");
            }
            case asn -> {
                long bound = BindingRules.parseAsn(boundValue);
                if (bound < 0) {
                    return Outcome.fail("the bound value is not an AS number");
                }
                if (asn.isEmpty()) {
                    return Outcome.fail("no AS database is available, so the AS binding cannot be checked (fails closed)");
                }
                OptionalLong actual = asn.get().asnOf(a);
                if (actual.isEmpty()) {
                    return Outcome.fail("the AS database does not know the address");
                }
                return actual.getAsLong() == bound ? Outcome.MATCH : Outcome.fail("the address belongs to another AS");
            }
            default -> {
                return Outcome.MATCH;
            }
        }
    }
}
