package io.mipo.operator.credentials;

/** The two kinds of secret the operator hands out (docs/credentials.md); the prefix lets secret scanners recognise them. */
public enum TokenKind {
    /** One-time provisioning token, exchanged for an API key at registration. */
    PROVISIONING("mipo_pt_"),
    /** Long-lived API key an agent authenticates with. */
    API_KEY("mipo_sk_");

    private final String prefix;

    TokenKind(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }
}
