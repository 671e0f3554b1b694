package io.mipo.scanner.scan;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A port list such as {@code 22,80,443,8000-8100}: comma-separated ports and inclusive
 * ranges, 1–65535; spaces around items are allowed; overlaps and repeats collapse; anything
 * else is refused.
 */
public final class PortList {
    private final int[] ports;

    private PortList(int[] ports) {
        this.ports = ports;
    }

    public static PortList parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("port list is empty");
        }
        BitSet set = new BitSet(65536);
        for (String raw : text.split(",", -1)) {
            String item = raw.trim();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("port list '" + text + "' has an empty item");
            }
            int dash = item.indexOf('-');
            if (dash < 0) {
                int p = port(item, text);
                set.set(p);
            } else {
                int from = port(item.substring(0, dash).trim(), text);
                int to = port(item.substring(dash + 1).trim(), text);
                if (from > to) {
                    throw new IllegalArgumentException("port range '" + item + "' runs backwards");
                }
                set.set(from, to + 1);
            }
        }
        return new PortList(set.stream().toArray());
    }

    private static int port(String s, String text) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + s + "' in port list '" + text + "' is not a port number");
        }
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is outside 1-65535");
        }
        return p;
    }

    public int size() {
        return ports.length;
    }

    /** The i-th port in ascending order. */
    public int get(int i) {
        return ports[i];
    }

    public int[] toArray() {
        return ports.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortList && Arrays.equals(ports, ((PortList) o).ports);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ports);
    }

    /** The canonical form, ranges merged: {@code 22,80,443,8000-8100}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < ports.length) {
            int j = i;
            while (j + 1 < ports.length && ports[j + 1] == ports[j] + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(ports[i]);
            if (j > i) {
                sb.append('-').append(ports[j]);
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
