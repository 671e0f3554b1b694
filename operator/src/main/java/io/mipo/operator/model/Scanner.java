package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A scanner: an agent on a customer host (External) or a DaemonSet the operator runs. */
@JsonClassDescription("A mipo network scanner: an agent installed on a host with the curl install command (External), or a DaemonSet the operator runs in-cluster. metadata.name is the scanner's immutable id, spec.displayName the name the UI shows. The operator issues its provisioning token (Secret <name>-provisioning), tracks its agent's heartbeats (status.phase Pending, Active, Offline or Disabled) and computes the probe rates of its group targets.")
@Categories("mipo")
@Group(Scanner.GROUP)
@Version(Scanner.VERSION)
@Plural("scanners")
@ShortNames("scn")
@AdditionalPrinterColumn(name = "DISPLAY", jsonPath = ".spec.displayName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "STATUS", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "BINDING", jsonPath = ".status.binding", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "RATE", jsonPath = ".spec.rateLimit", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "LAST-HEARTBEAT", jsonPath = ".status.lastHeartbeatTime", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "MODE", jsonPath = ".spec.deployment.mode", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGENT-VERSION", jsonPath = ".status.agent.version", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "HOST", jsonPath = ".status.agent.hostname", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "OUTDATED", jsonPath = ".status.conditions[?(@.type==\"AgentOutdated\")].status", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
public class Scanner extends CustomResource<ScannerSpec, ScannerStatus> implements Namespaced {
    public static final String GROUP = "mipo.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected ScannerSpec initSpec() {
        return new ScannerSpec();
    }

    @Override
    protected ScannerStatus initStatus() {
        return new ScannerStatus();
    }
}
