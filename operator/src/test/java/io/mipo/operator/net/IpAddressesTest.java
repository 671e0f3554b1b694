package io.mipo.operator.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IP literals as the agent API and the bindings read them: the dotted-quad reader against the regular expression it replaced. */
class IpAddressesTest {
    /** The regular expression the dotted-quad reader replaced: four numbers of 0 to 255 without leading zeros. */
    private static final Pattern IPV4_FORM = Pattern.compile(
            "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");

    @Test
    void dottedQuadsAreReadExactlyAsTheRegularExpressionAccepts() {
        List<String> texts = new ArrayList<>(List.of(
                "0.0.0.0", "127.0.0.1", "255.255.255.255", "203.0.113.7", "10.1.2.3", "1.22.133.244",
                "256.1.1.1", "1.1.1.256", "01.1.1.1", "1.1.1.01", "00.0.0.0", "1.1.1", "1.1.1.1.1", "1..1.1",
                ".1.1.1", "1.1.1.", "1.1.1.1 ", " 1.1.1.1", "1.1.1.a", "1.1.1.-1", "+1.1.1.1", "1.1.1.1000",
                "999.1.1.1", "1.1.1.1\n", "١.1.1.1", "", "...", "1.2.3.4.", "2001:db8::1"));
        Random random = new Random(42);
        String alphabet = "0123456789.....a ";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(16);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(sb.toString());
        }
        for (int i = 0; i < 20_000; i++) {
            texts.add(random.nextInt(300) + "." + random.nextInt(300) + "." + random.nextInt(300) + "." + random.nextInt(300));
        }
        int accepted = 0;
        for (String t : texts) {
            boolean byRegex = IPV4_FORM.matcher(t).matches();
            byte[] read = IpAddresses.ipv4(t);
            assertEquals(byRegex, read != null, () -> "\"" + t + "\": the regular expression says " + byRegex);
            if (read != null) {
                accepted++;
                String[] parts = t.split("\\.");
                byte[] expected = new byte[4];
                for (int k = 0; k < 4; k++) {
                    expected[k] = (byte) Integer.parseInt(parts[k]);
                }
                assertArrayEquals(expected, read, t);
            }
        }
        assertTrue(accepted > 5_000, "the random texts hold too few addresses to compare: " + accepted);
    }

    @Test
    void parseAnswersAddressesAndNothingElse() throws Exception {
        assertEquals(Optional.of(InetAddress.getByName("203.0.113.7")), IpAddresses.parse(" 203.0.113.7 "));
        assertEquals(Optional.of(InetAddress.getByName("203.0.113.7")), IpAddresses.parse("::ffff:203.0.113.7"));
        assertEquals(Optional.of(InetAddress.getByName("2001:db8::1")), IpAddresses.parse("[2001:db8::1]"));
        assertEquals(Optional.empty(), IpAddresses.parse("203.0.113.256"));
        assertEquals(Optional.empty(), IpAddresses.parse("example.com"));
        assertEquals(Optional.empty(), IpAddresses.parse(null));
        assertNull(IpAddresses.ipv4("1.2.3.4.5"));
    }
}
