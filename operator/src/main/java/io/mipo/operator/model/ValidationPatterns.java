package io.mipo.operator.model;

/** The constants the schema annotations and the operator's own validation share. */
public final class ValidationPatterns {
    public static final String DISPLAY_NAME = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
    public static final int MAX_DESCRIPTION = 10_000;
    public static final int MAX_RATE = 100_000;
    /** AS64500 or 64500 (32-bit AS numbers). */
    public static final String ASN = "^(AS|as)?[0-9]{1,10}$";
    /** One port, 1-65535 (leading zeros allowed, as the operator's parser allows them). */
    public static final String PORT = "0{0,4}([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
    /**
     * A port list such as 22,80,443,8000-8100, every port 1-65535. That ranges ascend and do not
     * overlap is checked by the operator only (Valid=False, Stalled=True): a CEL rule would have to
     * split the string, and the estimated cost of that on a 4096-character field inside a 1000-item
     * list risks exceeding the API server's budget, which would make the whole CRD uninstallable.
     */
    public static final String PORTS = "^" + PORT + "(-" + PORT + ")?(," + PORT + "(-" + PORT + ")?)*$";
    /** An IPv4 address in dotted decimal, without leading zeros ([.] rather than an escape, so CEL string literals can hold it). */
    public static final String IPV4 = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])([.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";
    /** An IPv6 address: its characters and at least one colon (the operator parses it exactly). */
    public static final String IPV6 = "[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*";
    /** A single IPv4 or IPv6 address. */
    public static final String IP = "^(" + IPV4 + "|" + IPV6 + ")$";
    /** A CIDR: an IPv4 network with a prefix of 0-32 or an IPv6 network with a prefix of 0-128. */
    public static final String SUBNET = "^(" + IPV4 + "/([0-9]|[12][0-9]|3[0-2])|" + IPV6 + "/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$";

    private ValidationPatterns() {
    }
}
