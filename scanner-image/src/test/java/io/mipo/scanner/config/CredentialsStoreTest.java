package io.mipo.scanner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsStoreTest {
    private static final String KEY = "mipo_sk_" + "A".repeat(34) + "wxyz";

    @TempDir
    Path tmp;

    @Test
    void writesFile0600InDirectory0700() throws Exception {
        Path dir = tmp.resolve("etc/mipo-scanner");
        CredentialsStore store = new CredentialsStore(dir);
        store.save(new Credentials("https://mipo.example", "scn-1", KEY, 30));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
        assertFalse(store.tooOpen());
        Credentials back = store.load().orElseThrow();
        assertEquals("https://mipo.example", back.server());
        assertEquals("scn-1", back.scannerId());
        assertEquals(KEY, back.apiKey());
        assertEquals(30, back.heartbeatIntervalSeconds());
    }

    @Test
    void tightensAnExistingDirectoryAndReplacesOldCredentials() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("conf"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        CredentialsStore store = new CredentialsStore(dir);
        store.save(new Credentials("https://a", "old", KEY, 30));
        store.save(new Credentials("https://b", "new", KEY.replace("wxyz", "1234"), 15));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Credentials back = store.load().orElseThrow();
        assertEquals("new", back.scannerId());
        assertTrue(back.apiKey().endsWith("1234"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void reportsAFileOthersCanRead() throws Exception {
        CredentialsStore store = new CredentialsStore(tmp);
        store.save(new Credentials("https://a", "s", KEY, 30));
        Files.setPosixFilePermissions(store.file(), PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(store.tooOpen());
    }

    @Test
    void missingFileIsEmptyAndIncompleteFileIsAnError() throws Exception {
        CredentialsStore store = new CredentialsStore(tmp.resolve("nothing"));
        assertTrue(store.load().isEmpty());
        Files.writeString(tmp.resolve("credentials"), "server=https://a\nscannerId=x\n");
        assertThrows(java.io.IOException.class, () -> new CredentialsStore(tmp).load());
    }

    @Test
    void toStringNeverShowsTheKey() {
        String s = new Credentials("https://a", "s", KEY, 30).toString();
        assertFalse(s.contains(KEY));
        assertTrue(s.contains("mipo_sk_…wxyz"), s);
    }

    @Test
    void refusesValuesThatWouldBreakTheFile() {
        assertThrows(IllegalArgumentException.class, () -> new Credentials("https://a\nevil=1", "s", KEY, 30));
        assertThrows(IllegalArgumentException.class, () -> new Credentials("https://a", "", KEY, 30));
    }
}
