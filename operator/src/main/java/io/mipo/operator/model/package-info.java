/**
 * The mipo.io/v1alpha1 API: the CRD classes of Scanner, ScannerBinding and ScannerGroup.
 * <p>
 * Data only. Validation rules are declared here so the generated CRD schema carries them; the
 * operator checks the same rules again in {@code io.mipo.operator.validation} because not every
 * API server enforces every schema rule. Nothing in this package depends on the rest of the operator.
 */
package io.mipo.operator.model;
