package io.mipo.operator.model;

/** The constants the schema annotations and the operator's own validation share. */
public final class ValidationPatterns {
    public static final String DISPLAY_NAME = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
    public static final int MAX_DESCRIPTION = 10_000;
    public static final int MAX_RATE = 100_000;
    /** AS64500 or 64500 (32-bit AS numbers). */
    public static final String ASN = "^(AS|as)?[0-9]{1,10}$";
    /** A port list such as 22,80,443,8000-8100. Bounds and ordering are checked by the operator. */
    public static final String PORTS = "^[0-9]{1,5}(-[0-9]{1,5})?(,[0-9]{1,5}(-[0-9]{1,5})?)*$";

    private ValidationPatterns() {
    }
}
