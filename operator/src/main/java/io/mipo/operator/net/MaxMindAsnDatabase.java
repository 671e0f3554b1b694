package io.mipo.operator.net;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** A MaxMind DB in the GeoLite2-ASN layout (autonomous_system_number, autonomous_system_organization). */
public final class MaxMindAsnDatabase implements AsnDatabase {
    private final Reader reader;
    private final String description;

    private MaxMindAsnDatabase(Reader reader, String description) {
        this.reader = reader;
        this.description = description;
    }

    public static MaxMindAsnDatabase open(Path path) throws IOException {
        // Read into memory rather than memory-mapped: the file may be replaced in place while the
        // operator runs (that is how it gets reloaded), and a mapped file changing underneath
        // crashes the JVM.
        Reader reader = new Reader(path.toFile(), Reader.FileMode.MEMORY, new CHMCache());
        String type = reader.getMetadata().databaseType();
        if (type == null || !type.toLowerCase(Locale.ROOT).contains("asn")) {
            reader.close();
            throw new IOException(path + " is a MaxMind DB of type '" + type + "', not an ASN database");
        }
        return new MaxMindAsnDatabase(reader, "MaxMind DB " + type + " built "
                + reader.getMetadata().buildTime().toString().substring(0, 10));
    }

    /** One record of the database; the organisation is kept for diagnostics only. */
    public static final class AsnRecord {
        private final Long number;

        @MaxMindDbConstructor
        public AsnRecord(@MaxMindDbParameter(name = "autonomous_system_number") Long number,
                         @MaxMindDbParameter(name = "autonomous_system_organization") String organization) {
            this.number = number;
        }
    }

    @Override
    public OptionalLong asnOf(InetAddress address) {
        try {
            AsnRecord r = reader.get(IpAddresses.unmap(address), AsnRecord.class);
            return r == null || r.number == null || r.number == 0 ? OptionalLong.empty() : OptionalLong.of(r.number);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<Long, List<Cidr>> prefixesOf(Set<Long> asns) {
        Map<Long, List<Cidr>> out = new HashMap<>();
        for (Long asn : asns) {
            out.put(asn, new ArrayList<>());
        }
        try {
            // Aliased networks (::ffff:0:0/96, 2002::/16) repeat the IPv4 tree: skip them.
            Networks<AsnRecord> networks = reader.networks(false, AsnRecord.class);
            while (networks.hasNext()) {
                DatabaseRecord<AsnRecord> r = networks.next();
                if (r.data() == null || r.data().number == null) {
                    continue;
                }
                List<Cidr> list = out.get(r.data().number);
                if (list != null) {
                    list.add(normalise(r.network().networkAddress(), r.network().prefixLength()));
                }
            }
        } catch (IOException | com.maxmind.db.InvalidNetworkException e) {
            throw new IllegalStateException("cannot list the networks of the AS database: " + e.getMessage(), e);
        }
        return out;
    }

    /** IPv4 networks stored in an IPv6 tree come back as ::a.b.c.d/96+n: give them as IPv4. */
    static Cidr normalise(InetAddress network, int prefix) {
        if (network instanceof Inet6Address && prefix >= 96) {
            byte[] b = network.getAddress();
            boolean v4 = true;
            for (int i = 0; i < 12; i++) {
                v4 &= b[i] == 0;
            }
            if (v4) {
                try {
                    return new Cidr(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}), prefix - 96);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Cidr.containing(network, prefix);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Optional<Instant> builtAt() {
        return Optional.ofNullable(reader.getMetadata().buildTime());
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // Closing an in-memory reader only drops the buffer.
        }
    }
}
