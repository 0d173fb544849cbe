package io.switchboard.placement.domain;

/**
 * What one health poll read from a KMS node.
 *
 * @param cpu used fraction of all cores, 0..1
 * @param endpoints WebRTC endpoints alive on the node
 * @param pipelines media pipelines alive on the node
 */
public record KmsReading(double cpu, int endpoints, int pipelines) {}
