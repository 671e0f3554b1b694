package io.mipo.operator.scanner;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.DaemonSetSpec;
import io.mipo.operator.model.Scanner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the workload of a DaemonSet-mode Scanner: a ServiceAccount with no permissions and no
 * automounted token, and a DaemonSet whose pods get a projected ServiceAccount token for the
 * audience {@value #AUDIENCE} only. The agent presents that token to /scanner/register and the
 * operator verifies it with a TokenReview, so no secret is ever copied into the cluster.
 */
public final class DaemonSetRenderer {
    public static final String AUDIENCE = "mipo-scanner";
    public static final String TOKEN_DIR = "/var/run/secrets/mipo";
    public static final String TOKEN_FILE = TOKEN_DIR + "/token";
    public static final long TOKEN_EXPIRATION_SECONDS = 3600;
    public static final long RUN_AS_USER = 10001;
    /** The agent's environment variable for the text of a CA bundle. */
    public static final String CA_ENV = "MIPO_CA_PEM";
    private static final String PREFIX = "mipo-scanner-";

    private DaemonSetRenderer() {
    }

    /** The name of the DaemonSet and the ServiceAccount: a valid DNS label derived from the scanner's name. */
    public static String workloadName(String scannerName) {
        String name = PREFIX + scannerName;
        if (name.length() <= 63) {
            return name;
        }
        String hash = sha256(scannerName).substring(0, 8);
        return (PREFIX + scannerName).substring(0, 63 - 9).replaceAll("-+$", "") + "-" + hash;
    }

    public static Map<String, String> selectorLabels(Scanner scanner) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "mipo-scanner");
        labels.put(Labels.SCANNER, scanner.getMetadata().getName());
        return labels;
    }

    public static ServiceAccount serviceAccount(Scanner scanner) {
        return new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(workloadName(scanner.getMetadata().getName()))
                .withNamespace(scanner.getMetadata().getNamespace())
                .withLabels(labels(scanner))
                .withOwnerReferences(owner(scanner))
                .endMetadata()
                .withAutomountServiceAccountToken(false)
                .build();
    }

    public static DaemonSet daemonSet(Scanner scanner, String defaultImage, String serverUrl) {
        return daemonSet(scanner, defaultImage, serverUrl, null);
    }

    /**
     * @param caBundle PEM text of the CAs the agent trusts for an https {@code serverUrl} (in
     *                 {@code MIPO_CA_PEM}), or null for the image's default trust
     */
    public static DaemonSet daemonSet(Scanner scanner, String defaultImage, String serverUrl, String caBundle) {
        DaemonSetSpec ds = scanner.getSpec().getDeployment() == null || scanner.getSpec().getDeployment().getDaemonSet() == null
                ? new DaemonSetSpec() : scanner.getSpec().getDeployment().getDaemonSet();
        String image = ds.getImage() == null || ds.getImage().isBlank() ? defaultImage : ds.getImage();
        boolean hostNetwork = Boolean.TRUE.equals(ds.getHostNetwork());
        String name = workloadName(scanner.getMetadata().getName());
        Capabilities dropAll = new CapabilitiesBuilder().withDrop("ALL").build();

        return new DaemonSetBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(scanner.getMetadata().getNamespace())
                .withLabels(labels(scanner))
                .withOwnerReferences(owner(scanner))
                .endMetadata()
                .withNewSpec()
                .withNewSelector().withMatchLabels(selectorLabels(scanner)).endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels(scanner)).endMetadata()
                .withNewSpec()
                .withServiceAccountName(name)
                .withAutomountServiceAccountToken(false)
                .withHostNetwork(hostNetwork)
                .withDnsPolicy(hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst")
                .withNodeSelector(ds.getNodeSelector())
                .withTolerations(ds.getTolerations())
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(RUN_AS_USER)
                .withRunAsGroup(RUN_AS_USER)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("agent")
                .withImage(image)
                .withArgs("run")
                .withEnv(
                        new EnvVarBuilder().withName("MIPO_SERVER").withValue(serverUrl).build(),
                        new EnvVarBuilder().withName("MIPO_SA_TOKEN_FILE").withValue(TOKEN_FILE).build(),
                        new EnvVarBuilder().withName("MIPO_CONFIG_DIR").withValue("/var/lib/mipo-scanner").build(),
                        new EnvVarBuilder().withName("MIPO_POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build(),
                        new EnvVarBuilder().withName("MIPO_NODE_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build())
                .addAllToEnv(caBundle == null || caBundle.isBlank() ? java.util.List.of()
                        : java.util.List.of(new EnvVarBuilder().withName(CA_ENV).withValue(caBundle).build()))
                .withResources(ds.getResources())
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withPrivileged(false)
                .withCapabilities(dropAll)
                .endSecurityContext()
                .addNewVolumeMount().withName("mipo-token").withMountPath(TOKEN_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("state").withMountPath("/var/lib/mipo-scanner").endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("mipo-token")
                .withNewProjected()
                .addNewSource()
                .withNewServiceAccountToken()
                .withAudience(AUDIENCE)
                .withExpirationSeconds(TOKEN_EXPIRATION_SECONDS)
                .withPath("token")
                .endServiceAccountToken()
                .endSource()
                .endProjected()
                .endVolume()
                .addNewVolume().withName("state").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Map<String, String> labels(Scanner scanner) {
        Map<String, String> labels = selectorLabels(scanner);
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        return labels;
    }

    private static OwnerReference owner(Scanner scanner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(scanner.getApiVersion())
                .withKind(scanner.getKind())
                .withName(scanner.getMetadata().getName())
                .withUid(scanner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
