/**
 * The HTTP layer. The API document declares the {@link io.mipo.operator.api.Problem} schema here, once;
 * {@link io.mipo.operator.api.OpenApiConventions} points every 4xx and 5xx answer at it, so the
 * resources' {@code @APIResponse}s say only the code and its meaning. The title and version repeat
 * {@code quarkus.smallrye-openapi.info-*}.
 */
@OpenAPIDefinition(info = @Info(title = "mipo Scanner Operator API", version = "v1alpha1"),
        components = @Components(schemas = @Schema(name = "Problem", implementation = Problem.class)))
package io.mipo.operator.api;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
