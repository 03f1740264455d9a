package io.github.qcow2nio.format;

import java.util.List;
import java.util.Objects;

/**
 * An inspection judged under a policy.
 *
 * @param report what the image asks for
 * @param policy the policy it was judged by
 * @param violations what the policy refuses, one sentence each naming the field and the value;
 *     empty when the image passes
 */
public record InspectionResult(InspectionReport report, InspectionPolicy policy,
    List<String> violations) {

  public InspectionResult {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(policy, "policy");
    violations = List.copyOf(violations);
  }

  public boolean passes() {
    return violations.isEmpty();
  }
}
