package apply

import "testing"

// Groups lays a run over the plan: a reported call carries its outcome,
// a call never sent is "not made", and without a run every call is
// "planned".
func TestGroupsOutcomes(t *testing.T) {
	srv, _, groups := world(t)
	changes, _ := tighten(t, srv, groups)
	first := &changes[0]
	if len(first.Add) == 0 || len(first.Remove) == 0 {
		t.Fatalf("the test's change adds %d and removes %d rules", len(first.Add), len(first.Remove))
	}
	rep := &Report{Steps: []Step{
		{GroupID: first.GroupID, Action: Authorize, RuleText: RuleText(&first.Add[0]), Outcome: Done},
		{GroupID: first.GroupID, Action: Revoke, RuleText: RuleText(&first.Remove[0]), RuleID: "sgr-0reported", Outcome: Failed},
	}}
	for _, c := range []struct {
		rep                  *Report
		add0, remove0, other string
	}{
		{nil, "planned", "planned", "planned"},
		{rep, Done, Failed, NotMade},
	} {
		gs := Groups(changes, c.rep)
		if len(gs) != len(changes) {
			t.Fatalf("%d groups, want %d", len(gs), len(changes))
		}
		for i, g := range gs {
			for j, s := range g.Authorize {
				want := c.other
				if i == 0 && j == 0 {
					want = c.add0
				}
				if s.Outcome != want || s.Action != Authorize || s.GroupID != changes[i].GroupID {
					t.Errorf("group %d authorize %d: %+v, want outcome %q", i, j, s, want)
				}
			}
			for j, s := range g.Revoke {
				want := c.other
				if i == 0 && j == 0 {
					want = c.remove0
				}
				if s.Outcome != want || s.Action != Revoke || s.RuleID == "" {
					t.Errorf("group %d revoke %d: %+v, want outcome %q and a rule id", i, j, s, want)
				}
			}
		}
	}
}
