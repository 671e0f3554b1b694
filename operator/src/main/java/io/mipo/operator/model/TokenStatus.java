package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TokenStatus {
    @JsonPropertyDescription("When the current provisioning token was issued (RFC 3339).")
    private String issuedAt;
    @JsonPropertyDescription("When it stops being accepted (RFC 3339); see mipo.token.ttl.")
    private String expiresAt;
    @JsonPropertyDescription("Unused (waiting for the install command), Consumed (an agent registered with it), Expired or Revoked (regenerated).")
    private TokenState state;

    public String getIssuedAt() {
        return issuedAt;
    }

    public void setIssuedAt(String issuedAt) {
        this.issuedAt = issuedAt;
    }

    public String getExpiresAt() {
        return expiresAt;
    }

    public void setExpiresAt(String expiresAt) {
        this.expiresAt = expiresAt;
    }

    public TokenState getState() {
        return state;
    }

    public void setState(TokenState state) {
        this.state = state;
    }
}
