package io.mipo.operator.net;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * An ip-to-ASN table: lines {@code range_start range_end as_number country description}
 * (tab-separated, or whitespace-separated when there is no tab; the layout of iptoasn.com's
 * ip2asn files), IPv4 and IPv6 mixed, optionally gzipped. AS number 0 ("not routed") and lines that
 * do not parse are skipped and counted; ranges overlapping an earlier one are skipped too, so a
 * lookup is one binary search.
 */
public final class AsnRangeTable implements AsnDatabase {
    private final Family v4;
    private final Family v6;
    private final int skipped;
    private final String source;

    private AsnRangeTable(Family v4, Family v6, int skipped, String source) {
        this.v4 = v4;
        this.v6 = v6;
        this.skipped = skipped;
        this.source = source;
    }

    /** One parsed line. */
    public record Range(InetAddress first, InetAddress last, long asn) {
    }

    public static AsnRangeTable read(Path path) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path))) {
            InputStream in = AsnDatabase.isGzip(raw) ? new GZIPInputStream(raw) : raw;
            return read(in, path.getFileName().toString());
        }
    }

    public static AsnRangeTable read(InputStream in, String source) throws IOException {
        List<Range> v4 = new ArrayList<>();
        List<Range> v6 = new ArrayList<>();
        int skipped = 0;
        int lines = 0;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            lines++;
            Optional<Range> parsed = parseLine(s);
            if (parsed.isEmpty()) {
                skipped++;
                continue;
            }
            Range range = parsed.get();
            if (range.asn() == 0) {
                continue;
            }
            (range.first() instanceof Inet4Address ? v4 : v6).add(range);
        }
        if (v4.isEmpty() && v6.isEmpty()) {
            throw new IOException(source + " holds no ip-to-ASN ranges (" + lines + " lines, " + skipped
                    + " not of the form 'range_start range_end as_number country description')");
        }
        Family f4 = Family.of(v4, 4);
        Family f6 = Family.of(v6, 16);
        return new AsnRangeTable(f4, f6, skipped + f4.overlapping + f6.overlapping, source);
    }

    /** A line, or empty when it is not {@code start end asn [country [description]]} with start ≤ end of one family. */
    static Optional<Range> parseLine(String line) {
        String[] cols = line.indexOf('\t') >= 0 ? line.split("\t", 5) : line.split("\\s+", 5);
        if (cols.length < 3) {
            return Optional.empty();
        }
        Optional<InetAddress> first = IpAddresses.parse(cols[0].strip());
        Optional<InetAddress> last = IpAddresses.parse(cols[1].strip());
        String asnText = cols[2].strip();
        if (asnText.regionMatches(true, 0, "AS", 0, 2)) {
            asnText = asnText.substring(2);
        }
        if (first.isEmpty() || last.isEmpty() || asnText.isEmpty() || asnText.length() > 10
                || !asnText.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long asn = Long.parseLong(asnText);
        byte[] a = first.get().getAddress();
        byte[] b = last.get().getAddress();
        if (asn > 0xFFFFFFFFL || a.length != b.length || Arrays.compareUnsigned(a, b) > 0) {
            return Optional.empty();
        }
        return Optional.of(new Range(first.get(), last.get(), asn));
    }

    @Override
    public OptionalLong asnOf(InetAddress address) {
        InetAddress a = IpAddresses.unmap(address);
        return (a instanceof Inet4Address ? v4 : v6).find(a.getAddress());
    }

    @Override
    public Map<Long, List<Cidr>> prefixesOf(Set<Long> asns) {
        Map<Long, List<Cidr>> out = new HashMap<>();
        for (Long asn : asns) {
            out.put(asn, new ArrayList<>());
        }
        for (Family f : List.of(v4, v6)) {
            for (int i = 0; i < f.asns.length; i++) {
                List<Cidr> list = out.get(f.asns[i]);
                if (list != null) {
                    list.addAll(Cidr.coveringRange(address(f.firsts[i]), address(f.lasts[i])));
                }
            }
        }
        return out;
    }

    public int rangeCount() {
        return v4.asns.length + v6.asns.length;
    }

    public int skippedLines() {
        return skipped;
    }

    @Override
    public String description() {
        return "ip-to-ASN table " + source + ": " + rangeCount() + " ranges"
                + (skipped > 0 ? ", " + skipped + " lines skipped" : "");
    }

    private static InetAddress address(byte[] b) {
        try {
            return b.length == 16 ? java.net.Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ranges of one address family, sorted by start and not overlapping. */
    private static final class Family {
        final byte[][] firsts;
        final byte[][] lasts;
        final long[] asns;
        final int overlapping;

        private Family(byte[][] firsts, byte[][] lasts, long[] asns, int overlapping) {
            this.firsts = firsts;
            this.lasts = lasts;
            this.asns = asns;
            this.overlapping = overlapping;
        }

        static Family of(List<Range> ranges, int width) {
            List<Range> sorted = new ArrayList<>(ranges);
            sorted.sort(Comparator.comparing((Range r) -> r.first().getAddress(), Arrays::compareUnsigned));
            List<Range> kept = new ArrayList<>(sorted.size());
            byte[] lastEnd = null;
            int overlapping = 0;
            for (Range r : sorted) {
                byte[] start = r.first().getAddress();
                if (start.length != width) {
                    continue;
                }
                if (lastEnd != null && Arrays.compareUnsigned(start, lastEnd) <= 0) {
                    overlapping++;
                    continue;
                }
                kept.add(r);
                lastEnd = r.last().getAddress();
            }
            byte[][] firsts = new byte[kept.size()][];
            byte[][] lasts = new byte[kept.size()][];
            long[] asns = new long[kept.size()];
            for (int i = 0; i < kept.size(); i++) {
                firsts[i] = kept.get(i).first().getAddress();
                lasts[i] = kept.get(i).last().getAddress();
                asns[i] = kept.get(i).asn();
            }
            return new Family(firsts, lasts, asns, overlapping);
        }

        OptionalLong find(byte[] address) {
            // The last range starting at or before the address; it holds the address if it ends at or after it.
            int lo = 0;
            int hi = firsts.length - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Arrays.compareUnsigned(firsts[mid], address) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (found >= 0 && Arrays.compareUnsigned(lasts[found], address) >= 0) {
                return OptionalLong.of(asns[found]);
            }
            return OptionalLong.empty();
        }
    }
}
