package io.mipo.scanner.host;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;

/** Facts about the host the agent reports: name, platform, internal address. */
public final class HostInfo {
    private HostInfo() {
    }

    /** The kernel's host name, else /etc/hostname, else $HOSTNAME, else the resolver's answer. */
    public static String hostname(Map<String, String> env) {
        for (String file : new String[] {"/proc/sys/kernel/hostname", "/etc/hostname"}) {
            try {
                String h = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
                if (!h.isEmpty()) {
                    return h;
                }
            } catch (IOException | RuntimeException ignored) {
                // try the next source
            }
        }
        String h = env.get("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code linux}, {@code darwin}, {@code windows}, … as the binary download path spells it. */
    public static String os() {
        String name = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return "linux";
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return "darwin";
        }
        if (name.startsWith("windows")) {
            return "windows";
        }
        return name.replaceAll("[^a-z0-9]", "");
    }

    /** {@code amd64}, {@code arm64}, … (Go/Docker spelling). */
    public static String arch() {
        String a = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        switch (a) {
            case "x86_64":
            case "amd64":
                return "amd64";
            case "aarch64":
            case "arm64":
                return "arm64";
            default:
                return a.replaceAll("[^a-z0-9]", "");
        }
    }

    /**
     * The address this host uses to reach the server: "connecting" a UDP socket makes the
     * kernel pick the route and source address without sending a packet. Falls back to the
     * first non-loopback interface address, else null.
     */
    public static String internalIp(URI server) {
        try (DatagramSocket s = new DatagramSocket()) {
            int port = server.getPort() > 0 ? server.getPort() : "https".equals(server.getScheme()) ? 443 : 80;
            s.connect(new InetSocketAddress(server.getHost(), port));
            InetAddress local = s.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return withoutZone(local.getHostAddress());
            }
        } catch (IOException | RuntimeException ignored) {
            // fall back to the interfaces
        }
        try {
            String v6 = null;
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a.isLinkLocalAddress() || a.isLoopbackAddress()) {
                        continue;
                    }
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                    if (v6 == null) {
                        v6 = withoutZone(a.getHostAddress());
                    }
                }
            }
            return v6;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String withoutZone(String address) {
        int pct = address.indexOf('%');
        return pct < 0 ? address : address.substring(0, pct);
    }
}
