package io.mipo.operator.kube;

/** Label and annotation keys the operator reads or writes. */
public final class Labels {
    public static final String CREATED_BY = "mipo.io/created-by";
    public static final String LAST_MODIFIED_BY = "mipo.io/last-modified-by";
    /** On Secrets and DaemonSets: the Scanner they belong to. */
    public static final String SCANNER = "mipo.io/scanner";
    /** On Secrets: what the Secret holds (provisioning, credentials). */
    public static final String COMPONENT = "mipo.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "mipo-scanner-operator";
    /** Group membership label the facade manages: mipo.io/group.&lt;group&gt;: "true". */
    public static final String GROUP_PREFIX = "mipo.io/group.";

    private Labels() {
    }
}
