package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/demo"
)

func init() { register(newDemoCmd) }

// DemoOptions are the inputs of `walls demo`.
type DemoOptions struct {
	IO *IOStreams
	// Keep leaves the scenario's files on disk and prints where.
	Keep bool
}

func newDemoCmd(io *IOStreams) *cobra.Command {
	o := &DemoOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the scenario that motivates walls, end to end, on embedded data",
		Long: `Run the seed scenario offline: Linux batch workers that engineers SSH into
and that yum-install packages at boot, a MySQL database in the same VPC, and
the usual allow-all egress. Each step runs a real walls command on embedded
AWS CLI JSON and flow logs and checks its verdict; the demo exits 1 if any
step's answer differs from the story's.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(o) },
	}
	cmd.Flags().BoolVar(&o.Keep, "keep", false, "keep the scenario's files and print their folder, to rerun the commands yourself")
	return cmd
}

// demoCheck is one `walls check` the story runs, with the verdict it expects.
type demoCheck struct {
	variant demo.Variant
	args    []string
	expect  string // "allowed" or "denied"
	because string
}

// demoCommand is any other walls command the story runs (audit, learn,
// diff), with a test of its result: ok is false when the answer is not the
// story's, and why says what was expected.
type demoCommand struct {
	show   string                            // the command line as printed
	args   func(ws *demo.Workspace) []string // the real arguments
	expect func(stdout string, code int) (ok bool, why string)
	// tail limits how many lines of output are printed (0 = all).
	tail int
}

// demoStep is one chapter of the story: commands first, then checks.
type demoStep struct {
	title    string
	intro    string
	commands []demoCommand
	checks   []demoCheck
	outro    string
}

func demoSteps() []demoStep {
	w, db, eng, mirror, ftp := demo.Worker1Instance, demo.DatabaseIP, demo.EngineerIP, demo.MirrorIP, demo.FTPMirrorIP
	return []demoStep{
		{
			title: "Where are the open doors?",
			intro: "walls audit reads the same inventory and lists what an intruder would use first.",
			commands: []demoCommand{{
				show: "walls audit today/",
				args: func(ws *demo.Workspace) []string { return append([]string{"audit"}, ws.Inventory(demo.Today)...) },
				expect: func(out string, code int) (bool, string) {
					first := firstFindingLine(out)
					return strings.Contains(first, "WALLS-SG-001") && strings.Contains(first, demo.WorkersSG),
						"the workers' allow-all egress is the first finding"
				},
			}},
		},
		{
			title: "Today: the workers' security group allows all egress",
			intro: "The batch workers' group (batch-workers) allows SSH in from the office and, like most groups,\n" +
				"all traffic out. The orders database admits MySQL from anything in the VPC.",
			checks: []demoCheck{{demo.Today, []string{"--from", w, "--to", db, "--port", "3306"}, "allowed",
				"a worker can open MySQL on the database; so can whoever breaks into a worker"}},
		},
		{
			title: "Three egress rules: tcp 80, 443 and 20-21 to the internet",
			intro: "The workers start only yum's connections (HTTP, HTTPS, FTP). SSH sessions are started by\n" +
				"engineers, and security groups are stateful, so SSH replies need no egress rule.",
			checks: []demoCheck{
				{demo.Tightened, []string{"--from", eng, "--to", w, "--port", "22"}, "allowed", "engineers still SSH in"},
				{demo.Tightened, []string{"--from", w, "--to", mirror, "--port", "443"}, "allowed", "yum still reaches its HTTPS mirror"},
				{demo.Tightened, []string{"--from", w, "--to", ftp, "--port", "21"}, "allowed", "and its FTP mirror"},
				{demo.Tightened, []string{"--from", w, "--to", db, "--port", "3306"}, "denied", "the database is walled off"},
			},
		},
		{
			title: "Let the flow logs write the rules",
			intro: "walls learn reads the workers' VPC Flow Logs, keeps only the connections the workers started,\n" +
				"and proposes the least egress that keeps them working. The plan proves that it allows nothing\n" +
				"the current rules deny and that replaying the logs blocks nothing.",
			commands: []demoCommand{
				{
					show: "walls learn today/ --flows flows/workers-v5.log -o plan.json",
					args: func(ws *demo.Workspace) []string {
						return append(append([]string{"learn"}, ws.Inventory(demo.Today)...), "--flows", ws.Flows(5), "-o", ws.Plan())
					},
					expect: func(out string, code int) (bool, string) {
						want := []string{"tcp 21 to 0.0.0.0/0", "tcp 80 to 0.0.0.0/0", "tcp 443 to 0.0.0.0/0"}
						for _, w := range want {
							if !strings.Contains(out, w) {
								return false, "the proposal is tcp 21, 80 and 443 to the internet"
							}
						}
						return code == 0 && !strings.Contains(out, "tcp 22 to"), "the proposal is tcp 21, 80 and 443 to the internet, and nothing for SSH"
					},
				},
				{
					show: "walls diff today/ --plan plan.json",
					args: func(ws *demo.Workspace) []string {
						return append(append([]string{"diff"}, ws.Inventory(demo.Today)...), "--plan", ws.Plan())
					},
					expect: func(out string, code int) (bool, string) {
						return code == 0 && strings.Contains(out, "no longer allowed"), "exactly what the workers could do before and no longer can"
					},
				},
			},
			checks: []demoCheck{
				{demo.Planned, []string{"--from", eng, "--to", w, "--port", "22"}, "allowed", "with the plan, engineers still SSH in"},
				{demo.Planned, []string{"--from", w, "--to", mirror, "--port", "443"}, "allowed", "yum still works"},
				{demo.Planned, []string{"--from", w, "--to", db, "--port", "3306"}, "denied", "and the database is walled off"},
			},
		},
		{
			title: "A custom network ACL that forgets the return traffic",
			intro: "Network ACLs are stateless. This one, on the workers' subnet, allows yum out and SSH in,\n" +
				"but no inbound ephemeral ports: the replies from the mirrors never get back.",
			checks: []demoCheck{
				{demo.StrictNACL, []string{"--from", w, "--to", mirror, "--port", "443"}, "denied",
					"the security group allows yum, the NACL silently breaks it on the way back"},
				{demo.StrictNACL, []string{"--from", eng, "--to", w, "--port", "22"}, "allowed",
					"SSH still works: its replies leave through outbound rule 130"},
			},
		},
	}
}

func runDemo(o *DemoOptions) error {
	ws, err := demo.NewWorkspace()
	if err != nil {
		return err
	}
	if o.Keep {
		fmt.Fprintf(o.IO.ErrOut, "walls: demo files kept in %s\n", ws.Dir)
	} else {
		defer ws.Close()
	}
	// Run from the workspace with the relative paths the printed commands
	// show, so output (audit locations) reads as the commands do.
	orig, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := os.Chdir(ws.Dir); err != nil {
		return err
	}
	defer os.Chdir(orig)
	rel := &demo.Workspace{Dir: "."}
	out := o.IO.Out
	fmt.Fprintln(out, "walls demo: walls at every turn")
	fmt.Fprintln(out, strings.Repeat("=", 31))
	failed := 0
	for i, st := range demoSteps() {
		fmt.Fprintf(out, "\n%d. %s\n\n%s\n", i+1, st.title, st.intro)
		for _, c := range st.commands {
			ok, err := runDemoCommand(o, rel, c)
			if err != nil {
				return err
			}
			if !ok {
				failed++
			}
		}
		for _, c := range st.checks {
			ok, err := runDemoCheck(o, rel, c)
			if err != nil {
				return err
			}
			if !ok {
				failed++
			}
		}
		if st.outro != "" {
			fmt.Fprintf(out, "\n%s\n", st.outro)
		}
	}
	if failed > 0 {
		fmt.Fprintf(out, "\n%d step(s) did not give the answer the story expects.\n", failed)
		return verdict()
	}
	fmt.Fprintln(out, "\nEvery step gave the expected answer.")
	return nil
}

// variantLabel names a variant's inventory in the printed command lines,
// as the workspace lays it out.
func variantLabel(v demo.Variant) string {
	if v == demo.Planned {
		return "today/ --plan plan.json"
	}
	return demo.Folder(v) + "/"
}

// runDemoCheck runs one check through the real command path and prints
// its table, then whether the verdict matches the story.
func runDemoCheck(o *DemoOptions, ws *demo.Workspace, c demoCheck) (bool, error) {
	fmt.Fprintf(o.IO.Out, "\n$ walls check %s %s\n", variantLabel(c.variant), strings.Join(c.args, " "))
	var stdout, stderr bytes.Buffer
	sub := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	args := append([]string{"check"}, ws.Inventory(c.variant)...)
	if c.variant == demo.Planned {
		args = append(args, "--plan", ws.Plan())
	}
	args = append(args, c.args...)
	code := Main(args, sub)
	if code == ExitBadInput {
		return false, fmt.Errorf("demo step failed: %s", strings.TrimSpace(stderr.String()))
	}
	indent(o.IO.Out, stdout.String())
	got := "allowed"
	if code == ExitFinding {
		got = "denied"
	}
	mark := "ok"
	if got != c.expect {
		mark = "UNEXPECTED: expected " + c.expect
	}
	fmt.Fprintf(o.IO.Out, "=> %s: %s [%s]\n", got, c.because, mark)
	return got == c.expect, nil
}

// runDemoCommand runs one command through the real command path, prints
// its output and whether the result is the story's.
func runDemoCommand(o *DemoOptions, ws *demo.Workspace, c demoCommand) (bool, error) {
	fmt.Fprintf(o.IO.Out, "\n$ %s\n", c.show)
	var stdout, stderr bytes.Buffer
	sub := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	code := Main(c.args(ws), sub)
	if code == ExitBadInput {
		return false, fmt.Errorf("demo step %q failed: %s", c.show, strings.TrimSpace(stderr.String()))
	}
	indent(o.IO.Out, stdout.String())
	ok, why := c.expect(stdout.String(), code)
	mark := "ok"
	if !ok {
		mark = "UNEXPECTED"
	}
	fmt.Fprintf(o.IO.Out, "=> %s [%s]\n", why, mark)
	return ok, nil
}

// firstFindingLine returns the first table row that names a check.
func firstFindingLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "WALLS-") {
			return line
		}
	}
	return ""
}

func indent(w io.Writer, s string) {
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintln(w, "   "+line)
	}
}
