package io.mipo.operator.binding;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.net.IpAddresses;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;

/**
 * The firewall formats of the scanner ACL. Each output is complete and loads as is:
 * <ul>
 *   <li>{@code nginx}: {@code allow <cidr>;} lines and a final {@code deny all;}, for an
 *   {@code include} inside a {@code server} or {@code location} block;</li>
 *   <li>{@code iptables} / {@code ip6tables}: an {@code iptables-restore} file defining the chain
 *   {@code MIPO-SCANNERS} (ACCEPT for every scanner network, then back to the caller), to load
 *   with {@code --noflush} so no other chain is touched;</li>
 *   <li>{@code cloudflare}: the JSON body of Cloudflare's "create list items" / "update all list
 *   items" calls for an IP list ({@code [{"ip": …, "comment": …}]}).</li>
 * </ul>
 * An AS the database could not expand is a comment (nginx, iptables) or listed in the
 * {@code Mipo-Acl-Skipped} header (cloudflare); JSON lists it under {@code unexpandedAsns}.
 */
public enum AclFormat {
    JSON("application/json"),
    NGINX("text/plain"),
    IPTABLES("text/plain"),
    IP6TABLES("text/plain"),
    CLOUDFLARE("application/json");

    public static final String CHAIN = "MIPO-SCANNERS";

    private final String mediaType;

    AclFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    public String parameter() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AclFormat> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.of(JSON);
        }
        for (AclFormat f : values()) {
            if (f.parameter().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** A Cloudflare IP-list item. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CloudflareItem(String ip, String comment) {
    }

    // ---- nginx ----

    public static String nginx(ScannerAcl acl) {
        StringBuilder out = new StringBuilder();
        header(out, acl, "nginx access rules; include inside a server or location block");
        Set<String> written = new HashSet<>();
        for (ScannerAcl.Entry e : acl.entries()) {
            out.append("# ").append(describe(e)).append('\n');
            if (Boolean.FALSE.equals(e.expanded())) {
                out.append("#   skipped: AS").append(e.asn()).append(" not expanded, ").append(acl.unexpandedReason()).append('\n');
            }
            for (String c : e.cidrs()) {
                if (written.add(c)) {
                    out.append("allow ").append(c).append(";\n");
                } else {
                    out.append("#   ").append(c).append(" already allowed above\n");
                }
            }
        }
        learningComments(out, acl);
        out.append("deny all;\n");
        return out.toString();
    }

    // ---- iptables / ip6tables ----

    public static String iptables(ScannerAcl acl, boolean ipv6) {
        String tool = ipv6 ? "ip6tables" : "iptables";
        StringBuilder out = new StringBuilder();
        header(out, acl, tool + "-restore rules (IPv" + (ipv6 ? "6" : "4") + " only; IPv"
                + (ipv6 ? "4: ?format=iptables" : "6: ?format=ip6tables") + ")");
        out.append("# Load without touching other chains:  ").append(tool).append("-restore --noflush < this-file\n");
        out.append("# then send traffic through it, e.g.:  ").append(tool).append(" -I INPUT -p tcp --dport 443 -j ")
                .append(CHAIN).append('\n');
        out.append("# Scanner sources are accepted; everything else returns to the calling chain.\n");
        out.append("*filter\n");
        out.append(':').append(CHAIN).append(" - [0:0]\n");
        Set<String> written = new HashSet<>();
        for (ScannerAcl.Entry e : acl.entries()) {
            out.append("# ").append(describe(e)).append('\n');
            if (Boolean.FALSE.equals(e.expanded())) {
                out.append("#   skipped: AS").append(e.asn()).append(" not expanded, ").append(acl.unexpandedReason()).append('\n');
            }
            for (String c : e.cidrs()) {
                Cidr cidr = Cidr.parse(c).orElseThrow();
                if (cidr.isIpv4() == ipv6) {
                    out.append("#   ").append(c).append(" is IPv").append(ipv6 ? "4" : "6")
                            .append(": see ?format=").append(ipv6 ? "iptables" : "ip6tables").append('\n');
                    continue;
                }
                if (written.add(c)) {
                    out.append("-A ").append(CHAIN).append(" -s ").append(c)
                            .append(" -m comment --comment \"mipo ").append(e.id()).append("\" -j ACCEPT\n");
                } else {
                    out.append("#   ").append(c).append(" already accepted above\n");
                }
            }
        }
        learningComments(out, acl);
        out.append("-A ").append(CHAIN).append(" -j RETURN\n");
        out.append("COMMIT\n");
        return out.toString();
    }

    // ---- cloudflare ----

    /**
     * Items for a Cloudflare IP list. Cloudflare takes single IPv4 addresses, IPv4 CIDRs /8 to /32
     * and IPv6 CIDRs /4 to /64: a longer IPv6 prefix (a single address, a /96) is widened to its
     * /64, the finest Cloudflare keeps; a wider one is split into the widest Cloudflare takes.
     */
    public static List<CloudflareItem> cloudflare(ScannerAcl acl) {
        Map<String, CloudflareItem> items = new LinkedHashMap<>();
        for (ScannerAcl.Entry e : acl.entries()) {
            for (String c : e.cidrs()) {
                for (Cidr piece : cloudflarePieces(Cidr.parse(c).orElseThrow())) {
                    String ip = piece.isIpv4() && piece.prefixLength() == 32
                            ? IpAddresses.format(piece.network()) : piece.toString();
                    items.putIfAbsent(ip, new CloudflareItem(ip, "mipo " + e.id()));
                }
            }
        }
        return new ArrayList<>(items.values());
    }

    /** The AS numbers the cloudflare output could not list (no networks known for them). */
    public static String skippedAsns(ScannerAcl acl) {
        return String.join(", ", acl.unexpandedAsns());
    }

    static List<Cidr> cloudflarePieces(Cidr c) {
        int min = c.isIpv4() ? 8 : 4;
        int max = c.isIpv4() ? 32 : 64;
        if (c.prefixLength() > max) {
            return List.of(Cidr.containing(c.network(), max));
        }
        if (c.prefixLength() >= min) {
            return List.of(c);
        }
        // Split into blocks of the widest accepted prefix (at most 2^(min-prefix) of them: 256 for 0.0.0.0/0).
        List<Cidr> out = new ArrayList<>();
        int width = c.isIpv4() ? 32 : 128;
        BigInteger step = BigInteger.ONE.shiftLeft(width - min);
        BigInteger start = IpAddresses.toNumber(c.network());
        for (int i = 0; i < (1 << (min - c.prefixLength())); i++) {
            out.add(new Cidr(IpAddresses.fromNumber(start.add(step.multiply(BigInteger.valueOf(i))), !c.isIpv4()), min));
        }
        return out;
    }

    // ---- shared ----

    private static void header(StringBuilder out, ScannerAcl acl, String what) {
        out.append("# mipo scanner ACL: ").append(what).append('\n');
        out.append("# generated ").append(acl.generatedAt())
                .append(acl.namespace() == null ? "" : " for namespace " + acl.namespace())
                .append("; ").append(acl.entries().size()).append(" bound scanner(s)\n");
    }

    private static void learningComments(StringBuilder out, ScannerAcl acl) {
        for (ScannerAcl.Learning l : acl.learning()) {
            out.append("# ").append(l.namespace()).append('/').append(l.scanner()).append(": ").append(l.mode())
                    .append(" binding still learning (no value yet), nothing to allow\n");
        }
    }

    private static String describe(ScannerAcl.Entry e) {
        return e.id() + ": " + e.mode() + " " + e.value() + " (" + e.enforcement() + (e.learned() ? ", learned" : "") + ")";
    }
}
