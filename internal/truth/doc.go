// Package truth holds walls learn to ground truth. Its tests generate
// random VPCs and the connections their members really make, write the
// inventory as AWS CLI JSON and the traffic as flow logs in every text
// format (version 2 with and without a header, versions 3 and 5), run the
// real observe-and-learn pipeline, and check the plan with an evaluator of
// their own that shares no code with walls' set algebra:
//
//   - every accepted connection a logged member initiated is allowed by the
//     proposed egress of its groups, pooled;
//   - every proposed rule allows only what the group's current egress allows;
//   - no proposed rule exists only because a member answered a connection
//     that the current rules let only the other side start.
//
// The package has no code outside its tests.
package truth
