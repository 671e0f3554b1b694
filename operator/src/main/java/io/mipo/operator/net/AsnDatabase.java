package io.mipo.operator.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which autonomous system announces an address. Two file formats are read: a MaxMind DB
 * ({@code .mmdb}, GeoLite2-ASN layout) and an ip-to-ASN table (TSV lines
 * {@code range_start range_end as_number country description}, optionally gzipped). The format
 * is recognised from the content, not the file name.
 */
public interface AsnDatabase extends AutoCloseable {

    /** The AS announcing the address, or empty when the database does not cover it. */
    OptionalLong asnOf(InetAddress address);

    /**
     * The networks each of {@code asns} announces, for the ASes this database can enumerate (an AS
     * it knows nothing about maps to an empty list). Reads the whole database: for occasional use.
     */
    Map<Long, List<Cidr>> prefixesOf(Set<Long> asns);

    /** For people: what was loaded, e.g. "MaxMind DB GeoLite2-ASN built 2024-05-01". */
    String description();

    /** When the data was built, if the file says so (a MaxMind DB does; a TSV table does not). */
    default Optional<Instant> builtAt() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }

    /** Opens the file in whichever of the two formats it holds. */
    static AsnDatabase open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(Files.exists(path) ? path + " is not a regular file" : path + " does not exist");
        }
        if (isMaxMindDb(path)) {
            return MaxMindAsnDatabase.open(path);
        }
        return AsnRangeTable.read(path);
    }

    /** A MaxMind DB ends with a metadata section introduced by this marker (within its last 128 KiB). */
    private static boolean isMaxMindDb(Path path) throws IOException {
        byte[] marker = "\u00AB\u00CD\u00EFMaxMind.com".getBytes(StandardCharsets.ISO_8859_1);
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
            long len = f.length();
            int tail = (int) Math.min(len, 128 * 1024);
            byte[] buf = new byte[tail];
            f.seek(len - tail);
            f.readFully(buf);
            outer:
            for (int i = buf.length - marker.length; i >= 0; i--) {
                for (int j = 0; j < marker.length; j++) {
                    if (buf[i + j] != marker[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /** True when the stream starts with the gzip magic number. */
    static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int a = in.read();
        int b = in.read();
        in.reset();
        return a == 0x1f && b == 0x8b;
    }
}
