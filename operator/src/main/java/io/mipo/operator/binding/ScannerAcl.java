package io.mipo.operator.binding;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.net.AsnDatabase;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.net.IpAddresses;
import io.mipo.operator.validation.BindingRules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The allow-list of every address, subnet and AS that scanners are bound to, for customer
 * firewalls ({@code GET /api/admin/scanner-acl}). ASNs are expanded to the networks the AS
 * database lists for them; where it cannot (no database, or nothing listed), the AS is kept as an
 * AS number. This is the JSON form; {@link AclFormat} renders the others.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScannerAcl(String namespace, String generatedAt, AsnSource asnDatabase, List<Entry> entries,
                         List<String> cidrs, List<String> unexpandedAsns, List<Learning> learning) {

    /** One bound scanner. {@code cidrs} is empty for an AS that could not be expanded. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String namespace, String scanner, String mode, String value, String enforcement, boolean learned,
                        List<String> cidrs, Long asn, Boolean expanded) {
        public String id() {
            return namespace + "/" + scanner;
        }
    }

    /** A binding with a mode but no value yet: it restricts nothing an allow-list could name. */
    public record Learning(String namespace, String scanner, String mode) {
    }

    public record AsnSource(boolean available, String reason, String message) {
    }

    public static ScannerAcl build(String namespace, String generatedAt, Collection<ScannerBinding> bindings,
                                   LiveAsnDatabase.Availability asn) {
        List<EffectiveBinding> effective = bindings.stream().map(EffectiveBinding::of)
                .filter(b -> b.mode() != BindingMode.none && b.valid())
                .sorted(Comparator.comparing(EffectiveBinding::namespace).thenComparing(EffectiveBinding::name))
                .toList();
        Set<Long> asns = new TreeSet<>();
        for (EffectiveBinding b : effective) {
            if (b.mode() == BindingMode.asn && b.boundValue() != null) {
                asns.add(BindingRules.parseAsn(b.boundValue()));
            }
        }
        Optional<AsnDatabase> db = asn.database();
        Map<Long, List<Cidr>> prefixes = asns.isEmpty() || db.isEmpty() ? Map.of() : db.get().prefixesOf(asns);

        List<Entry> entries = new ArrayList<>();
        List<Learning> learning = new ArrayList<>();
        List<Cidr> all = new ArrayList<>();
        Set<String> unexpanded = new LinkedHashSet<>();
        for (EffectiveBinding b : effective) {
            if (b.boundValue() == null) {
                learning.add(new Learning(b.namespace(), b.name(), b.mode().name()));
                continue;
            }
            List<Cidr> nets = new ArrayList<>();
            Long asnNumber = null;
            Boolean expanded = null;
            switch (b.mode()) {
                case ip -> nets.add(Cidr.of(IpAddresses.parse(b.boundValue()).orElseThrow()));
                case subnet -> nets.add(Cidr.parse(b.boundValue()).orElseThrow());
                case asn -> {
                    asnNumber = BindingRules.parseAsn(b.boundValue());
                    List<Cidr> listed = prefixes.getOrDefault(asnNumber, List.of()).stream().filter(BindingRules::narrowEnough).toList();
                    nets.addAll(collapse(listed));
                    expanded = !listed.isEmpty();
                    if (listed.isEmpty()) {
                        unexpanded.add("AS" + asnNumber);
                    }
                }
                default -> { }
            }
            // an AS database may list huge networks: never export one wider than a binding may name
            nets.removeIf(c -> !BindingRules.narrowEnough(c));
            all.addAll(nets);
            entries.add(new Entry(b.namespace(), b.name(), b.mode().name(), b.boundValue(), b.enforcement().name(),
                    b.learned(), nets.stream().map(Cidr::toString).toList(), asnNumber, expanded));
        }
        return new ScannerAcl(namespace, generatedAt,
                new AsnSource(asn.available(), asn.reason(), asn.message()),
                entries, collapse(all).stream().filter(c -> c.prefixLength() > 0).map(Cidr::toString).toList(),
                List.copyOf(unexpanded), learning);
    }

    /** Sorted, without duplicates and without networks inside another one of the list. */
    public static List<Cidr> collapse(Collection<Cidr> networks) {
        List<Cidr> sorted = new ArrayList<>(networks);
        sorted.sort(Cidr.ORDER);
        List<Cidr> out = new ArrayList<>();
        Cidr last = null;
        for (Cidr c : sorted) {
            // Sorted by address, wider first: a network covering c, if any, is the last one kept.
            if (last != null && last.covers(c)) {
                continue;
            }
            out.add(c);
            last = c;
        }
        return out;
    }

    /** Why an AS of an entry was not expanded, for the comment formats. */
    String unexpandedReason() {
        return asnDatabase.available()
                ? "the AS database lists no networks for it"
                : "no AS database is available (" + asnDatabase.reason() + ")";
    }
}
