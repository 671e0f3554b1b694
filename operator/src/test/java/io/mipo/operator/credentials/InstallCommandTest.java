package io.mipo.operator.credentials;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstallCommandTest {

    @Test
    void httpsCommandsPinTheProtocolAndCarryTheTokenOnlyInTheEnvironment() {
        String t = TokenFormat.generate(TokenKind.PROVISIONING);
        String c = InstallCommand.command("https://mipo.example.com", t);
        assertEquals("curl -fsSL --proto '=https' https://mipo.example.com/scanner/install | sudo MIPO_TOKEN=" + t + " sh", c);
        assertFalse(c.substring(0, c.indexOf('|')).contains(t), "the token must not be in the URL");
        assertEquals("curl -fsSL http://127.0.0.1:8080/scanner/install | sudo MIPO_TOKEN=" + t + " sh",
                InstallCommand.command("http://127.0.0.1:8080", t));
    }

    @Test
    void onlyPlainUrlsAreAcceptedAsBase() {
        assertTrue(InstallCommand.isSafe("https://mipo.example.com"));
        assertTrue(InstallCommand.isSafe("https://mipo.example.com:8443/prefix"));
        assertTrue(InstallCommand.isSafe("http://[::1]:8080"));
        assertFalse(InstallCommand.isSafe("https://evil.example.com; rm -rf /"));
        assertFalse(InstallCommand.isSafe("https://x.example.com/$(id)"));
        assertFalse(InstallCommand.isSafe("ftp://x.example.com"));
        assertFalse(InstallCommand.isSafe("https://x.example.com'"));
    }

    @Test
    void outsideStandaloneTheRequestsSchemeAndHostAreNeverUsed() {
        InstallCommand ic = new InstallCommand();
        ic.config = io.mipo.operator.testing.Configs.mipo(java.util.Map.of("mipo.public-url", "https://mipo.example.com/"));
        ic.launchMode = io.quarkus.runtime.LaunchMode.NORMAL;
        assertEquals("https://mipo.example.com", ic.baseUrl("http://mipo.example.com"));

        InstallCommand unset = new InstallCommand();
        unset.config = io.mipo.operator.testing.Configs.mipo(java.util.Map.of());
        unset.launchMode = io.quarkus.runtime.LaunchMode.NORMAL;
        io.mipo.operator.core.Refusal e = org.junit.jupiter.api.Assertions.assertThrows(io.mipo.operator.core.Refusal.class,
                () -> unset.baseUrl("http://ingress.example.com"), "a TLS-terminating proxy's http:// must not reach a root install command");
        assertEquals("PUBLIC_URL_REQUIRED", e.code());

        InstallCommand standalone = new InstallCommand();
        standalone.config = io.mipo.operator.testing.Configs.mipo(java.util.Map.of("mipo.standalone", "true"));
        standalone.launchMode = io.quarkus.runtime.LaunchMode.NORMAL;
        assertEquals("http://127.0.0.1:8080", standalone.baseUrl("http://127.0.0.1:8080/"));
    }
}
