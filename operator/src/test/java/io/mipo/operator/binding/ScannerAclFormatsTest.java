package io.mipo.operator.binding;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingSpec;
import io.mipo.operator.model.ScannerBindingStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The ACL formats, and whether the real tools accept them (when nginx / iptables are installed). */
class ScannerAclFormatsTest {
    static final Path MMDB = Path.of("src/test/resources/asn/GeoLite2-ASN-Test.mmdb");

    @TempDir
    Path dir;

    static ScannerBinding binding(String ns, String name, BindingMode mode, String value, Enforcement e, String learned) {
        ScannerBinding b = new ScannerBinding();
        b.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).withUid(name + "-uid").build());
        ScannerBindingSpec spec = new ScannerBindingSpec();
        spec.setMode(mode);
        spec.setValue(value);
        spec.setEnforcement(e);
        b.setSpec(spec);
        if (learned != null) {
            ScannerBindingStatus st = new ScannerBindingStatus();
            st.setBoundValue(learned);
            st.setLearnedAt("2026-01-01T00:00:00Z");
            b.setStatus(st);
        }
        return b;
    }

    static List<ScannerBinding> fleet() {
        List<ScannerBinding> l = new ArrayList<>();
        l.add(binding("ns", "edge-ip", BindingMode.ip, "203.0.113.7", Enforcement.Enforce, null));
        l.add(binding("ns", "edge-learned", BindingMode.ip, null, Enforcement.Audit, "198.51.100.23"));
        l.add(binding("ns", "edge-v6", BindingMode.ip, "2001:db8::7", Enforcement.Enforce, null));
        l.add(binding("ns", "edge-subnet", BindingMode.subnet, "192.0.2.0/24", Enforcement.Enforce, null));
        l.add(binding("ns", "edge-subnet6", BindingMode.subnet, "2001:db8:aa::/48", Enforcement.Enforce, null));
        l.add(binding("ns", "edge-dup", BindingMode.ip, "203.0.113.7", Enforcement.Enforce, null));
        l.add(binding("ns", "edge-asn", BindingMode.asn, "AS15169", Enforcement.Enforce, null));
        l.add(binding("ns", "edge-asn-unknown", BindingMode.asn, "64500", Enforcement.Enforce, null));
        l.add(binding("ns", "edge-learning", BindingMode.subnet, null, Enforcement.Enforce, null));
        l.add(binding("ns", "edge-none", BindingMode.none, null, Enforcement.Enforce, null));
        l.add(binding("ns", "edge-invalid", BindingMode.ip, "not-an-ip", Enforcement.Enforce, null));
        return l;
    }

    static ScannerAcl acl(Optional<Path> db) {
        return ScannerAcl.build("ns", "2026-01-01T00:00:00Z", fleet(), new LiveAsnDatabase(db).current());
    }

    @Test
    void jsonListsEveryBoundNetworkAndKeepsUnexpandableAsnsAsAsns() {
        ScannerAcl acl = acl(Optional.of(MMDB));
        JsonNode json = Serialization.jsonMapper().valueToTree(acl);
        String shown = json.toPrettyString();
        List<String> scanners = new ArrayList<>();
        json.get("entries").forEach(e -> scanners.add(e.get("scanner").asText()));
        assertEquals(List.of("edge-asn", "edge-asn-unknown", "edge-dup", "edge-ip", "edge-learned", "edge-subnet",
                "edge-subnet6", "edge-v6"), scanners, shown);
        List<String> cidrs = new ArrayList<>();
        json.get("cidrs").forEach(c -> cidrs.add(c.asText()));
        assertTrue(cidrs.containsAll(List.of("203.0.113.7/32", "198.51.100.23/32", "192.0.2.0/24", "1.0.0.0/24",
                "2001:db8::7/128", "2001:db8:aa::/48")), shown);
        assertEquals(cidrs.stream().distinct().count(), cidrs.size(), "no duplicates: " + shown);
        assertEquals("[\"AS64500\"]", json.get("unexpandedAsns").toString(), shown);
        assertEquals("edge-learning", json.get("learning").get(0).get("scanner").asText(), shown);
        JsonNode asn = json.get("entries").get(0);
        assertTrue(asn.get("expanded").asBoolean(), shown);
        assertEquals(15169, asn.get("asn").asLong(), shown);
        assertTrue(json.get("entries").get(4).get("learned").asBoolean(), shown);
    }

    @Test
    void withoutADatabaseAsnsAreListedButNotExpanded() {
        ScannerAcl acl = acl(Optional.empty());
        assertEquals(List.of("AS15169", "AS64500"), acl.unexpandedAsns());
        assertFalse(acl.asnDatabase().available());
        String nginx = AclFormat.nginx(acl);
        assertTrue(nginx.contains("# ns/edge-asn: asn AS15169 (Enforce)"), nginx);
        assertTrue(nginx.contains("skipped: AS15169 not expanded, no AS database is available"), nginx);
        assertFalse(nginx.contains("1.0.0.0/24"), nginx);
    }

    @Test
    void nginxOutputIsAllowLinesThenDenyAll() {
        String nginx = AclFormat.nginx(acl(Optional.of(MMDB)));
        List<String> rules = nginx.lines().filter(l -> !l.startsWith("#")).toList();
        assertEquals("deny all;", rules.get(rules.size() - 1), nginx);
        assertTrue(rules.contains("allow 203.0.113.7/32;"), nginx);
        assertTrue(rules.contains("allow 2001:db8:aa::/48;"), nginx);
        assertTrue(rules.contains("allow 1.0.0.0/24;"), nginx);
        assertEquals(1, rules.stream().filter("allow 203.0.113.7/32;"::equals).count(), "written once: " + nginx);
        assertTrue(nginx.contains("edge-learning: subnet binding still learning"), nginx);
    }

    @Test
    void nginxAcceptsTheOutput() throws Exception {
        Optional<String> nginx = executable("nginx");
        io.mipo.operator.testing.RequiredTools.require(nginx.isPresent(), "nginx");
        Path acl = dir.resolve("scanner-acl.conf");
        Files.writeString(acl, AclFormat.nginx(acl(Optional.of(MMDB))));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + ";",
                "events {}",
                "http {",
                "  access_log off;",
                "  server {",
                "    listen 127.0.0.1:18089;",
                "    location /scanner/ {",
                "      include " + acl + ";",
                "      return 204;",
                "    }",
                "  }",
                "}", ""));
        Result r = run(nginx.get(), "-t", "-q", "-p", dir.toString(), "-e", dir.resolve("error.log").toString(), "-c", conf.toString());
        assertEquals(0, r.exit(), "nginx -t rejected the ACL:\n" + r.output() + "\n" + Files.readString(acl));

        // A broken file is rejected, so the check above has teeth.
        Files.writeString(acl, "allow 203.0.113.999;\n");
        assertTrue(run(nginx.get(), "-t", "-q", "-p", dir.toString(), "-e", dir.resolve("error.log").toString(), "-c", conf.toString()).exit() != 0);
    }

    @Test
    void iptablesOutputIsACompleteRestoreFileWithIpv6Separate() {
        String v4 = AclFormat.iptables(acl(Optional.of(MMDB)), false);
        assertTrue(v4.contains("*filter\n:MIPO-SCANNERS - [0:0]\n"), v4);
        assertTrue(v4.endsWith("-A MIPO-SCANNERS -j RETURN\nCOMMIT\n"), v4);
        assertTrue(v4.contains("-A MIPO-SCANNERS -s 203.0.113.7/32 -m comment --comment \"mipo ns/edge-dup\" -j ACCEPT"), v4);
        assertTrue(v4.contains("# ns/edge-ip: ip 203.0.113.7 (Enforce)\n#   203.0.113.7/32 already accepted above\n"), v4);
        assertTrue(v4.contains("-A MIPO-SCANNERS -s 1.0.0.0/24 "), v4);
        assertFalse(v4.contains("-s 2001:"), v4);
        assertTrue(v4.contains("#   2001:db8::7/128 is IPv6: see ?format=ip6tables"), v4);
        assertTrue(v4.contains("skipped: AS64500 not expanded"), v4);
        String v6 = AclFormat.iptables(acl(Optional.of(MMDB)), true);
        assertTrue(v6.contains("-A MIPO-SCANNERS -s 2001:db8::7/128 "), v6);
        assertFalse(v6.contains("-s 203.0.113.7"), v6);
    }

    @Test
    void iptablesRestoreAcceptsTheOutput() throws Exception {
        Optional<String> v4tool = executable("iptables-restore");
        io.mipo.operator.testing.RequiredTools.require(v4tool.isPresent(), "iptables-restore");
        for (boolean ipv6 : new boolean[] {false, true}) {
            String tool = ipv6 ? executable("ip6tables-restore").orElseThrow() : v4tool.get();
            Path rules = dir.resolve(ipv6 ? "acl.rules6" : "acl.rules");
            String text = AclFormat.iptables(acl(Optional.of(MMDB)), ipv6);
            Files.writeString(rules, text);
            Result r = run(tool, "--test", "--noflush", rules.toString());
            assertEquals(0, r.exit(), tool + " --test rejected the ACL:\n" + r.output() + "\n" + text);
        }
        // An empty ACL is a valid (empty) chain too.
        Path empty = dir.resolve("empty.rules");
        Files.writeString(empty, AclFormat.iptables(ScannerAcl.build("ns", "now", List.of(), new LiveAsnDatabase(Optional.empty()).current()), false));
        assertEquals(0, run(v4tool.get(), "--test", "--noflush", empty.toString()).exit());
        // And the tool does reject broken input.
        Files.writeString(empty, "*filter\n:MIPO-SCANNERS - [0:0]\n-A MIPO-SCANNERS -s 2001:db8::/32 -j ACCEPT\nCOMMIT\n");
        assertTrue(run(v4tool.get(), "--test", "--noflush", empty.toString()).exit() != 0);
    }

    @Test
    void cloudflareItemsFitCloudflareIpLists() {
        List<AclFormat.CloudflareItem> items = AclFormat.cloudflare(acl(Optional.of(MMDB)));
        List<String> ips = items.stream().map(AclFormat.CloudflareItem::ip).toList();
        assertTrue(ips.contains("203.0.113.7"), "single IPv4 addresses bare: " + ips);
        assertTrue(ips.contains("2001:db8::/64"), "an IPv6 address widens to its /64: " + ips);
        assertTrue(ips.contains("2001:db8:aa::/48"), ips.toString());
        assertTrue(ips.contains("1.0.0.0/24"), ips.toString());
        assertEquals(ips.stream().distinct().count(), ips.size(), ips.toString());
        for (String ip : ips) {
            if (ip.contains("/")) {
                int prefix = Integer.parseInt(ip.substring(ip.indexOf('/') + 1));
                assertTrue(ip.contains(":") ? prefix >= 4 && prefix <= 64 : prefix >= 8 && prefix <= 32, ip);
            }
        }
        assertTrue(items.get(0).comment().startsWith("mipo ns/"), items.get(0).toString());
        assertEquals(List.of("0.0.0.0/8", "1.0.0.0/8"), AclFormat.cloudflarePieces(io.mipo.operator.net.Cidr.parse("0.0.0.0/7").orElseThrow())
                .stream().map(Object::toString).toList());
    }

    // ---- running the real tools ----

    record Result(int exit, String output) {
    }

    static Optional<String> executable(String name) {
        for (String d : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
            File f = new File(d, name);
            if (f.canExecute()) {
                return Optional.of(f.getPath());
            }
        }
        return Optional.empty();
    }

    static Result run(String... command) throws IOException, InterruptedException {
        // output to a file, not a pipe: a chatty tool cannot block on a full pipe until the timeout
        io.mipo.operator.testing.RequiredTools.Outcome o = io.mipo.operator.testing.RequiredTools.run(new ProcessBuilder(command),
                java.time.Duration.ofSeconds(30));
        return new Result(o.exit(), o.output());
    }
}
