package io.mipo.operator.credentials;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What an agent said about itself when it registered, and the address it registered from. Not secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegisteredAgent(String version, String hostname, String os, String arch, String internalIp,
                              String sourceAddress) {
}
