package io.mipo.scanner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void parsesRegisterWithBothOptionStyles() throws Exception {
        CommandLine c = CommandLine.parse(new String[] {"register", "--server", "https://m.example", "--config-dir=/tmp/x"},
                Map.of("MIPO_TOKEN", "mipo_pt_abc"));
        assertEquals("register", c.command());
        assertEquals("https://m.example", c.value("server", "MIPO_SERVER", null));
        assertEquals("/tmp/x", c.value("config-dir", "MIPO_CONFIG_DIR", "/etc/mipo-scanner"));
        assertEquals("mipo_pt_abc", c.value("token", "MIPO_TOKEN", null));
        assertFalse(c.hasOption("token"));
    }

    @Test
    void optionsWinOverEnvironmentAndDefaultsApply() throws Exception {
        Map<String, String> env = Map.of("MIPO_SERVER", "https://env.example", "MIPO_CONFIG_DIR", "  ");
        CommandLine c = CommandLine.parse(new String[] {"register", "--server", "https://flag.example"}, env);
        assertEquals("https://flag.example", c.value("server", "MIPO_SERVER", null));
        assertEquals("/etc/mipo-scanner", c.value("config-dir", "MIPO_CONFIG_DIR", "/etc/mipo-scanner"));
        CommandLine run = CommandLine.parse(new String[] {"run"}, env);
        assertEquals("https://env.example", run.value("server", "MIPO_SERVER", null));
        assertNull(run.value("internal-ip", "MIPO_INTERNAL_IP", null));
    }

    @Test
    void numbersAreCheckedWithTheirSourceNamed() throws Exception {
        CommandLine c = CommandLine.parse(new String[] {"run", "--max-in-flight", "0"}, Map.of("MIPO_SCAN_PAUSE_SECONDS", "x"));
        UsageException e = assertThrows(UsageException.class,
                () -> c.number("max-in-flight", "MIPO_MAX_IN_FLIGHT", 256, 1, 65536));
        assertTrue(e.getMessage().contains("--max-in-flight"), e.getMessage());
        UsageException e2 = assertThrows(UsageException.class,
                () -> c.number("scan-pause-seconds", "MIPO_SCAN_PAUSE_SECONDS", 60, 0, 86400));
        assertTrue(e2.getMessage().contains("number"), e2.getMessage());
        assertEquals(60, CommandLine.parse(new String[] {"run"}, Map.of()).number("scan-pause-seconds",
                "MIPO_SCAN_PAUSE_SECONDS", 60, 0, 86400));
        assertEquals(0.5, CommandLine.parse(new String[] {"run"}, Map.of("MIPO_SCAN_PAUSE_SECONDS", "0.5"))
                .number("scan-pause-seconds", "MIPO_SCAN_PAUSE_SECONDS", 60, 0, 86400));
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {}, Map.of()));
        assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"scan"}, Map.of()));
        assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"run", "--token", "x"}, Map.of()));
        assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"register", "--server"}, Map.of()));
        assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"register", "stray"}, Map.of()));
        assertThrows(UsageException.class,
                () -> CommandLine.parse(new String[] {"register", "--server", "a", "--server", "b"}, Map.of()));
        assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"run", "--"}, Map.of()));
    }

    @Test
    void helpAndVersion() throws Exception {
        assertEquals("help", CommandLine.parse(new String[] {"--help"}, Map.of()).command());
        assertEquals("help", CommandLine.parse(new String[] {"register", "-h"}, Map.of()).command());
        assertEquals("version", CommandLine.parse(new String[] {"--version"}, Map.of()).command());
    }
}
