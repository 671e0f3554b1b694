package io.mipo.operator.binding;

import io.mipo.operator.net.IpAddresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveAsnDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void noDatabaseConfiguredIsUnavailableWithAReason() {
        var live = new LiveAsnDatabase(Optional.empty());
        assertFalse(live.current().available());
        assertEquals(LiveAsnDatabase.NOT_CONFIGURED, live.current().reason());
    }

    @Test
    void theFileIsReloadedWhenItChangesAndFailsClosedWhenItGoes() throws IOException {
        Path file = dir.resolve("asn.db");
        var live = new LiveAsnDatabase(Optional.of(file));
        AtomicInteger changes = new AtomicInteger();
        live.onChange(changes::incrementAndGet);
        assertEquals(LiveAsnDatabase.UNREADABLE, live.current().reason());
        assertTrue(live.current().message().contains("does not exist"), live.current().message());
        assertFalse(live.reloadIfChanged(), "nothing changed: no reload");

        // A TSV appears.
        Files.writeString(file, "1.0.0.0\t1.0.0.255\t64500\tZZ\ttest\n");
        assertTrue(live.reloadIfChanged());
        assertTrue(live.current().available(), live.current().message());
        assertEquals(OptionalLong.of(64500), live.current().database().orElseThrow().asnOf(IpAddresses.parse("1.0.0.1").orElseThrow()));
        assertFalse(live.reloadIfChanged(), "unchanged file: no reload");

        // It is replaced by the MaxMind test database (another format, same path).
        Files.copy(Path.of("src/test/resources/asn/GeoLite2-ASN-Test.mmdb"), file, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertTrue(live.reloadIfChanged());
        assertEquals(OptionalLong.of(15169), live.current().database().orElseThrow().asnOf(IpAddresses.parse("1.0.0.1").orElseThrow()));
        assertTrue(live.current().message().contains("GeoLite2-ASN"), live.current().message());

        // It becomes garbage: unavailable, with the reason.
        Files.writeString(file, "this is not an AS database\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertTrue(live.reloadIfChanged());
        assertFalse(live.current().available());
        assertEquals(LiveAsnDatabase.UNREADABLE, live.current().reason());
        assertTrue(live.current().message().contains("cannot be read"), live.current().message());

        // It disappears.
        Files.delete(file);
        assertTrue(live.reloadIfChanged());
        assertFalse(live.current().available());
        assertTrue(live.current().message().contains("does not exist"), live.current().message());
        assertEquals(4, changes.get(), "listeners hear every change");
    }
}
