package io.mipo.operator.scanner;

/** Condition reasons specific to Scanners. */
public final class ScannerConditions {
    public static final String DUPLICATE_NAME = "DuplicateName";
    /**
     * The agent's side, apart from Ready (which only says the operator has done its part): True
     * while the agent heartbeats, False while it has not registered or missed its heartbeats.
     */
    public static final String AGENT_CONNECTED = "AgentConnected";

    private ScannerConditions() {
    }
}
