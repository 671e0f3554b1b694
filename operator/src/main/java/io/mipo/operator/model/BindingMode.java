package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a ScannerBinding restricts the source address. Lower-case on the wire, as in the UI. */
public enum BindingMode {
    @JsonProperty("ip")
    ip,
    @JsonProperty("subnet")
    subnet,
    @JsonProperty("asn")
    asn,
    @JsonProperty("none")
    none
}
