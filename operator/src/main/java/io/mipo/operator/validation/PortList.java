package io.mipo.operator.validation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A port list such as {@code 22,80,443,8000-8100}: 1–65535, ranges ascending, at most 65,535 ports, each port once. */
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
        }
        if (count > MAX_PORTS) {
            throw new IllegalArgumentException("the port list names " + count + " ports; at most " + MAX_PORTS + " are allowed");
        }
        List<int[]> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(r -> r[0]));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i)[0] <= sorted.get(i - 1)[1]) {
                throw new IllegalArgumentException("'" + format(sorted.get(i)) + "' overlaps '" + format(sorted.get(i - 1))
                        + "': each port may be listed once");
            }
        }
        return new PortList(List.copyOf(ranges), (int) count);
    }

    /** The list in its canonical written form, as given but without spaces: {@code 22,80,8000-8100}. */
    public String canonical() {
        StringBuilder b = new StringBuilder();
        for (int[] r : ranges) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(format(r));
        }
        return b.toString();
    }

    private static String format(int[] range) {
        return range[0] == range[1] ? Integer.toString(range[0]) : range[0] + "-" + range[1];
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
