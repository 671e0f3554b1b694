package io.mipo.operator.api.config;

/** The {@code status} of a group in the groups API, derived from its spec and its members now. */
final class GroupStatuses {
    /** Valid, with at least one member. */
    static final String READY = "Ready";
    /** Valid, but its selector matches no Scanner. */
    static final String NO_MEMBERS = "NoMembers";
    /** Its spec breaks a rule (the group's Valid condition says which); its valid targets are still scanned. */
    static final String INVALID = "Invalid";

    private GroupStatuses() {
    }
}
