package io.mipo.operator.observability;

import io.mipo.operator.binding.LiveAsnDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mipo_asn_database_age_seconds: the age of the data in use, NaN without any. */
class AsnDatabaseAgeTest {

    @TempDir
    Path dir;

    private static OperatorMetrics metrics(LiveAsnDatabase db, Instant now) {
        OperatorMetrics m = new OperatorMetrics();
        m.asnDatabase = db;
        m.clock = Clock.fixed(now, ZoneOffset.UTC);
        return m;
    }

    @Test
    void aTableIsAsOldAsItsFile() throws IOException {
        Path file = dir.resolve("ip2asn.tsv");
        Files.writeString(file, "192.0.2.0\t192.0.2.255\t64500\tZZ\tEXAMPLE-AS\n");
        Instant modified = Instant.parse("2026-11-30T12:00:00Z");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        LiveAsnDatabase db = new LiveAsnDatabase(Optional.of(file));
        assertTrue(db.current().available(), db.current().message());
        assertEquals(3 * 86400.0 + 90, metrics(db, modified.plusSeconds(3 * 86400 + 90)).asnDatabaseAgeSeconds());
    }

    @Test
    void aMaxMindDatabaseIsAsOldAsItsBuildNotItsFile() throws IOException {
        Path file = dir.resolve("GeoLite2-ASN.mmdb");
        Files.copy(Path.of("src/test/resources/asn/GeoLite2-ASN-Test.mmdb"), file);
        Instant copied = Instant.parse("2026-12-01T00:00:00Z");
        Files.setLastModifiedTime(file, FileTime.from(copied));
        Instant built;
        try (com.maxmind.db.Reader reader = new com.maxmind.db.Reader(file.toFile())) {
            built = reader.getMetadata().buildTime();
        }
        assertTrue(built.isBefore(copied.minusSeconds(86400)), "the test database was built long before it was copied: " + built);
        LiveAsnDatabase db = new LiveAsnDatabase(Optional.of(file));
        assertTrue(db.current().available(), db.current().message());
        Instant now = copied.plusSeconds(60);
        assertEquals(java.time.Duration.between(built, now).toMillis() / 1000.0, metrics(db, now).asnDatabaseAgeSeconds());
    }

    @Test
    void noDatabaseHasNoAge() {
        assertTrue(Double.isNaN(metrics(new LiveAsnDatabase(Optional.empty()), Instant.now()).asnDatabaseAgeSeconds()));
        LiveAsnDatabase missing = new LiveAsnDatabase(Optional.of(dir.resolve("absent.mmdb")));
        assertTrue(Double.isNaN(metrics(missing, Instant.now()).asnDatabaseAgeSeconds()), missing.current().message());
    }

    @Test
    void anUnreadableFileHasNoAgeEvenThoughItHasAModificationTime() throws IOException {
        Path file = dir.resolve("garbage.tsv");
        Files.writeString(file, "this is not an AS table\n");
        LiveAsnDatabase db = new LiveAsnDatabase(Optional.of(file));
        assertTrue(Double.isNaN(metrics(db, Instant.now()).asnDatabaseAgeSeconds()), db.current().message());
    }
}
