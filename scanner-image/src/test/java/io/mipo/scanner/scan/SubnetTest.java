package io.mipo.scanner.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubnetTest {

    @Test
    void expandsAnIpv4Block() {
        Subnet s = Subnet.parse("192.168.10.0/30");
        assertEquals(4, s.size());
        assertEquals("192.168.10.0", s.address(0).getHostAddress());
        assertEquals("192.168.10.3", s.address(3).getHostAddress());
        assertThrows(IndexOutOfBoundsException.class, () -> s.address(4));
        assertEquals("192.168.10.0/30", s.toString());
    }

    @Test
    void clearsHostBitsAndCarriesAcrossOctets() {
        Subnet s = Subnet.parse("10.1.2.77/22");
        assertEquals("10.1.0.0/22", s.toString());
        assertEquals(1024, s.size());
        assertEquals("10.1.1.0", s.address(256).getHostAddress());
        assertEquals("10.1.3.255", s.address(1023).getHostAddress());
    }

    @Test
    void aBareAddressIsOneHost() {
        assertEquals(1, Subnet.parse("127.0.0.1").size());
        assertEquals(1, Subnet.parse("::1").size());
        assertEquals("127.0.0.1", Subnet.parse("127.0.0.1/32").address(0).getHostAddress());
    }

    @Test
    void expandsAnIpv6Block() {
        Subnet s = Subnet.parse("2001:db8::ff00/120");
        assertTrue(s.isIpv6());
        assertEquals(256, s.size());
        assertEquals("2001:db8:0:0:0:0:0:ff00", s.address(0).getHostAddress());
        assertEquals("2001:db8:0:0:0:0:0:ffff", s.address(255).getHostAddress());
        Subnet big = Subnet.parse("2001:db8::/112");
        assertEquals(65536, big.size());
        assertEquals("2001:db8:0:0:0:0:0:fff0", Subnet.parse("2001:db8::fff7/124").address(0).getHostAddress());
    }

    @Test
    void parsesIpv6TextForms() {
        assertEquals("0:0:0:0:0:0:0:0", Subnet.parse("::/128").address(0).getHostAddress());
        assertEquals("1:2:3:4:5:6:7:8", Subnet.parse("1:2:3:4:5:6:7:8").address(0).getHostAddress());
        assertEquals("fe80:0:0:0:0:0:0:1", Subnet.parse("FE80::1").address(0).getHostAddress());
        assertEquals("1:0:0:0:0:0:0:0", Subnet.parse("1::").address(0).getHostAddress());
        assertEquals("64:ff9b:0:0:0:0:a00:1", Subnet.parse("64:ff9b::10.0.0.1").address(0).getHostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0/24", "10.0.0.256/32", "10.0.0.0/-1",
        "10.0.0.0/2a", "example.com", "localhost/32", "1:2:3", ":::1", "1::2::3", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0",
        "12345::1", "::g", "::1/129", "1.2.3.4.5", "1:2:3:4:5:6:7:8::", "0x7f.0.0.1"})
    void rejectsBadSubnets(String text) {
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse(text));
    }

    @Test
    void refusesBlocksTooLargeToScan() {
        IllegalArgumentException v6 = assertThrows(IllegalArgumentException.class, () -> Subnet.parse("2001:db8::/64"));
        assertTrue(v6.getMessage().contains("/112"), v6.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("2001:db8::/111"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("0.0.0.0/0"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.0.0.0/7"));
        assertEquals(1L << 24, Subnet.parse("10.0.0.0/8").size());
    }

    @Test
    void targetsArePortMajorAndLazy() {
        Iterator<InetSocketAddress> it = ProbeStream.targets(Subnet.parse("10.0.0.0/31"), PortList.parse("22,80"));
        List<String> seen = new ArrayList<>();
        while (it.hasNext()) {
            InetSocketAddress a = it.next();
            seen.add(a.getAddress().getHostAddress() + ":" + a.getPort());
        }
        assertEquals(List.of("10.0.0.0:22", "10.0.0.1:22", "10.0.0.0:80", "10.0.0.1:80"), seen);
        Iterator<InetSocketAddress> huge = ProbeStream.targets(Subnet.parse("10.0.0.0/8"), PortList.parse("1-65535"));
        assertTrue(huge.hasNext());
        assertEquals("10.0.0.0", huge.next().getAddress().getHostAddress());
        assertFalse(ProbeStream.targets(Subnet.parse("10.0.0.0/32"), PortList.parse("1")).next().isUnresolved());
    }
}
