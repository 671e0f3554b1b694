package io.mipo.operator.validation;

import java.util.ArrayList;
import java.util.List;

/** A port list such as {@code 22,80,443,8000-8100}: 1–65535, ranges ascending, at most 65,535 ports. */
public record PortList(List<int[]> ranges, int count) {
    public static final int MAX_PORTS = 65_535;

    /**
     * @throws IllegalArgumentException with a message naming the bad part
     */
    public static PortList parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the port list is empty");
        }
        List<int[]> ranges = new ArrayList<>();
        long count = 0;
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty entry in the port list '" + text + "'");
            }
            int dash = p.indexOf('-');
            int lo = port(dash < 0 ? p : p.substring(0, dash), p);
            int hi = dash < 0 ? lo : port(p.substring(dash + 1), p);
            if (hi < lo) {
                throw new IllegalArgumentException("range '" + p + "' is not ascending");
            }
            ranges.add(new int[] {lo, hi});
            count += hi - lo + 1;
            if (count > MAX_PORTS) {
                throw new IllegalArgumentException("the port list names more than " + MAX_PORTS + " ports");
            }
        }
        return new PortList(List.copyOf(ranges), (int) count);
    }

    private static int port(String s, String part) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + part + "' is not a port or a port range");
        }
        int v = Integer.parseInt(s);
        if (v < 1 || v > 65_535) {
            throw new IllegalArgumentException("port " + v + " in '" + part + "' is outside 1-65535");
        }
        return v;
    }
}
