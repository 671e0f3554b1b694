package io.mipo.operator.binding;

import io.mipo.operator.core.Refusal;
import io.mipo.operator.core.AgentCallGuard;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.net.IpAddresses;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Checks every agent call against the scanner's ScannerBinding (the one of the same name). No
 * binding, or mode {@code none}: any address. Otherwise the client address must match the value in
 * force; with none yet, the first call's address is learned (trust on first use). A mismatch is
 * counted either way; {@code Enforce} refuses it with 403 {@code IP_BINDING_VIOLATION},
 * {@code Audit} lets it through. Whatever cannot be checked (an invalid spec, no AS database, an
 * address the AS database does not know) counts as a mismatch: the binding fails closed.
 */
@ApplicationScoped
public class SourceAddressGuard implements AgentCallGuard {
    private static final Logger LOG = Logger.getLogger(SourceAddressGuard.class);
    public static final String VIOLATION = "IP_BINDING_VIOLATION";

    @Inject
    BindingIndex index;

    @Inject
    BindingObservations observations;

    @Inject
    LiveAsnDatabase asn;

    Clock clock = Clock.systemUTC();

    @Override
    public void check(String namespace, String scannerName, InetAddress clientAddress, Call call) {
        Optional<ScannerBinding> cached = index.binding(namespace, scannerName);
        if (cached.isEmpty()) {
            return;
        }
        InetAddress address = clientAddress == null ? null : IpAddresses.unmap(clientAddress);
        Instant now = clock.instant();
        EffectiveBinding b = EffectiveBinding.of(cached.get());
        if (b.mode() == BindingMode.none) {
            observations.seen(cached.get(), address);
            return;
        }
        if (!b.valid()) {
            refuse(b, address, now, call, "the binding's spec is not valid (" + b.errors().get(0).message() + ")");
            return;
        }
        var database = asn.current().database();
        if (b.learning()) {
            Optional<EffectiveBinding> after = observations.learn(b,
                    mode -> SourceAddressPolicy.learnable(mode, address, database).value(), address, now);
            if (after.isEmpty() || after.get().mode() == BindingMode.none) {
                return;
            }
            b = after.get();
            if (!b.valid()) {
                refuse(b, address, now, call, "the binding's spec is not valid (" + b.errors().get(0).message() + ")");
                return;
            }
            if (b.learning()) {
                refuse(b, address, now, call, "nothing could be learned: "
                        + SourceAddressPolicy.learnable(b.mode(), address, database).problem());
                return;
            }
        }
        SourceAddressPolicy.Outcome outcome = SourceAddressPolicy.check(b.mode(), b.boundValue(), address, database);
        if (outcome.matches()) {
            observations.seen(cached.get(), address);
            return;
        }
        refuse(b, address, now, call, outcome.problem());
    }

    /** Only learning a value writes (the binding's status, before the call is answered); matching and counting stay in memory. */
    @Override
    public boolean mayBlock(String namespace, String scannerName, Call call) {
        Optional<ScannerBinding> cached = index.binding(namespace, scannerName);
        return cached.isPresent() && EffectiveBinding.of(cached.get()).learning();
    }

    private void refuse(EffectiveBinding b, InetAddress address, Instant now, Call call, String problem) {
        observations.mismatch(b, address, now);
        String shown = address == null ? "unknown" : IpAddresses.format(address);
        if (b.enforcement() == Enforcement.Audit) {
            LOG.debugf("Audit: %s from %s for scanner %s/%s does not satisfy its %s binding: %s",
                    call, shown, b.namespace(), b.name(), b.mode(), problem);
            return;
        }
        LOG.debugf("Refused %s from %s for scanner %s/%s: %s", call, shown, b.namespace(), b.name(), problem);
        throw new Refusal(Refusal.Kind.FORBIDDEN, VIOLATION, "Source address not allowed",
                "The source address " + shown + " is not allowed for scanner " + b.name() + ": " + problem
                        + ". If the scanner moved legitimately, an administrator can release its " + b.mode() + " binding.",
                java.util.List.of());
    }
}
