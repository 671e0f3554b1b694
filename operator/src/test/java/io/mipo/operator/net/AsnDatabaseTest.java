package io.mipo.operator.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsnDatabaseTest {
    static final Path MMDB = Path.of("src/test/resources/asn/GeoLite2-ASN-Test.mmdb");

    @TempDir
    Path dir;

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s).orElseThrow();
    }

    @Test
    void maxMindTestDatabaseAnswersTheDocumentedNetworks() throws IOException {
        try (AsnDatabase db = AsnDatabase.open(MMDB)) {
            assertInstanceOf(MaxMindAsnDatabase.class, db);
            assertEquals(OptionalLong.of(15169), db.asnOf(ip("1.0.0.1")));
            assertEquals(OptionalLong.of(15169), db.asnOf(ip("1.0.0.255")));
            assertEquals(OptionalLong.of(1221), db.asnOf(ip("1.128.0.1")));
            assertEquals(OptionalLong.of(1221), db.asnOf(ip("1.159.255.255")));
            assertEquals(OptionalLong.of(7018), db.asnOf(ip("12.81.92.7")));
            // IPv4-mapped IPv6 is looked up as IPv4.
            assertEquals(OptionalLong.of(15169), db.asnOf(ip("::ffff:1.0.0.9")));
            assertEquals(OptionalLong.empty(), db.asnOf(ip("203.0.113.7")), "TEST-NET-3 is in no AS");
            assertTrue(db.description().contains("GeoLite2-ASN"), db.description());
        }
    }

    @Test
    void maxMindDatabaseListsTheNetworksOfAnAs() throws IOException {
        try (AsnDatabase db = AsnDatabase.open(MMDB)) {
            Map<Long, List<Cidr>> p = db.prefixesOf(Set.of(15169L, 1221L, 4_200_000_000L));
            assertTrue(p.get(15169L).contains(Cidr.parse("1.0.0.0/24").orElseThrow()), p.toString());
            assertTrue(p.get(1221L).contains(Cidr.parse("1.128.0.0/11").orElseThrow()), p.toString());
            assertEquals(List.of(), p.get(4_200_000_000L));
            // Every listed network really maps to its AS (no alias or IPv6-embedded duplicates).
            for (var e : p.entrySet()) {
                for (Cidr c : e.getValue()) {
                    assertEquals(OptionalLong.of(e.getKey()), db.asnOf(c.network()), c + " listed for AS" + e.getKey());
                    assertEquals(OptionalLong.of(e.getKey()), db.asnOf(c.lastAddress()), c + " listed for AS" + e.getKey());
                }
            }
        }
    }

    private Path writeTsv(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    static final String TSV = String.join("\n",
            "# range_start range_end as_number country description",
            "1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET",
            "1.0.4.0\t1.0.7.255\t38803\tAU\tGTELECOM Pty Ltd",
            "1.0.8.0\t1.0.8.255\t0\tNone\tNot routed",
            "198.51.100.0\t198.51.100.200\t64500\tZZ\tDocumentation, with spaces",
            "2001:db8::\t2001:db8:0:ffff:ffff:ffff:ffff:ffff\t64501\tZZ\tDocumentation v6",
            "garbage line that is not a range",
            "5.5.5.5\t4.4.4.4\t1\tZZ\tstart after end",
            "1.0.0.128\t1.0.1.0\t99\tZZ\toverlaps the first range",
            "");

    @Test
    void tsvTableLooksUpIpv4AndIpv6WithBinarySearch() throws IOException {
        try (AsnDatabase db = AsnDatabase.open(writeTsv("ip2asn.tsv", TSV))) {
            assertInstanceOf(AsnRangeTable.class, db);
            assertEquals(OptionalLong.of(13335), db.asnOf(ip("1.0.0.0")));
            assertEquals(OptionalLong.of(13335), db.asnOf(ip("1.0.0.255")));
            assertEquals(OptionalLong.empty(), db.asnOf(ip("1.0.1.0")), "between ranges");
            assertEquals(OptionalLong.of(38803), db.asnOf(ip("1.0.6.1")));
            assertEquals(OptionalLong.empty(), db.asnOf(ip("1.0.8.1")), "AS 0 means not routed");
            assertEquals(OptionalLong.of(64500), db.asnOf(ip("198.51.100.200")));
            assertEquals(OptionalLong.empty(), db.asnOf(ip("198.51.100.201")));
            assertEquals(OptionalLong.of(64501), db.asnOf(ip("2001:db8::1")));
            assertEquals(OptionalLong.of(64501), db.asnOf(ip("2001:db8:0:ffff::1")));
            assertEquals(OptionalLong.empty(), db.asnOf(ip("2001:db8:1::1")));
            assertEquals(OptionalLong.empty(), db.asnOf(ip("0.0.0.1")));
            assertEquals(OptionalLong.empty(), db.asnOf(ip("255.255.255.255")));
            assertEquals(OptionalLong.of(64500), db.asnOf(ip("::ffff:198.51.100.1")));
            AsnRangeTable t = (AsnRangeTable) db;
            assertEquals(4, t.rangeCount(), db.description());
            assertEquals(3, t.skippedLines(), db.description());
        }
    }

    @Test
    void tsvRangesBecomePrefixes() throws IOException {
        try (AsnDatabase db = AsnDatabase.open(writeTsv("ip2asn.tsv", TSV))) {
            Map<Long, List<Cidr>> p = db.prefixesOf(Set.of(64500L, 64501L, 38803L));
            assertEquals(List.of("198.51.100.0/25", "198.51.100.128/26", "198.51.100.192/29", "198.51.100.200/32"),
                    p.get(64500L).stream().map(Cidr::toString).toList());
            assertEquals(List.of("2001:db8::/48"), p.get(64501L).stream().map(Cidr::toString).toList());
            assertEquals(List.of("1.0.4.0/22"), p.get(38803L).stream().map(Cidr::toString).toList());
        }
    }

    @Test
    void gzippedAndSpaceSeparatedTablesAreRead() throws IOException {
        Path gz = dir.resolve("ip2asn-combined.tsv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("1.0.0.0 1.0.0.255 AS13335 US CLOUDFLARENET Inc\n".getBytes(StandardCharsets.UTF_8));
        }
        try (AsnDatabase db = AsnDatabase.open(gz)) {
            assertEquals(OptionalLong.of(13335), db.asnOf(ip("1.0.0.77")));
        }
    }

    @Test
    void filesThatAreNotAsnDatabasesAreRefusedWithAReason() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> AsnDatabase.open(dir.resolve("nope.mmdb")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        IOException garbage = assertThrows(IOException.class, () -> AsnDatabase.open(writeTsv("x.tsv", "hello\nworld\n")));
        assertTrue(garbage.getMessage().contains("no ip-to-ASN ranges"), garbage.getMessage());
        Path truncated = dir.resolve("truncated.mmdb");
        byte[] all = Files.readAllBytes(MMDB);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        assertThrows(IOException.class, () -> AsnDatabase.open(truncated));
    }
}
