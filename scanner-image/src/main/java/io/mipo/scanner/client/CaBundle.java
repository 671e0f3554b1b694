package io.mipo.scanner.client;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * The certificate authorities the agent trusts for the mipo server: a PEM bundle given with
 * {@code --ca-file} / {@code MIPO_CA_FILE} (for an operator that serves HTTPS with a private CA),
 * else the JVM's default trust store. Either way the server's certificate and host name are
 * verified; there is no option to skip that.
 *
 * <p>{@code register} copies the bundle to {@code <config-dir>/ca.pem}, so that {@code run} (the
 * service, started without the installer's environment) trusts the same CAs. In-cluster
 * (DaemonSet) agents get the bundle's text in {@code MIPO_CA_PEM} from the operator instead.
 */
public final class CaBundle {
    /** Where register keeps a copy of the bundle for run. */
    public static final String STORED_NAME = "ca.pem";

    private CaBundle() {
    }

    /** The environment variable that carries a PEM bundle's text (in-cluster agents). */
    public static final String PEM_ENV = "MIPO_CA_PEM";

    /** An SSL context that trusts exactly the certificates in the PEM file. */
    public static SSLContext load(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return trusting(in, pem.toString());
        }
    }

    /** An SSL context that trusts exactly the certificates in {@code pem}, a bundle's text; {@code source} names it in errors. */
    public static SSLContext fromText(String pem, String source) throws IOException {
        return trusting(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), source);
    }

    private static SSLContext trusting(InputStream in, String source) throws IOException {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException("no certificate in " + source);
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the CA bundle " + source + ": " + e.getMessage(), e);
        }
    }
}
