package cli

import (
	"bytes"
	"fmt"
	"io"
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

// demoStep is one chapter of the story.
type demoStep struct {
	title  string
	intro  string
	checks []demoCheck
	run    func(o *DemoOptions, ws *demo.Workspace) error // extra work (audit, learn) of later chapters
	outro  string
}

func demoSteps() []demoStep {
	w, db, eng, mirror, ftp := demo.Worker1Instance, demo.DatabaseIP, demo.EngineerIP, demo.MirrorIP, demo.FTPMirrorIP
	return []demoStep{
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
	out := o.IO.Out
	fmt.Fprintln(out, "walls demo: walls at every turn")
	fmt.Fprintln(out, strings.Repeat("=", 31))
	failed := 0
	for i, st := range demoSteps() {
		fmt.Fprintf(out, "\n%d. %s\n\n%s\n", i+1, st.title, st.intro)
		for _, c := range st.checks {
			ok, err := runDemoCheck(o, ws, c)
			if err != nil {
				return err
			}
			if !ok {
				failed++
			}
		}
		if st.run != nil {
			if err := st.run(o, ws); err != nil {
				return err
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

// variantLabel names a variant's inventory in the printed command lines.
func variantLabel(v demo.Variant) string {
	switch v {
	case demo.Tightened:
		return "tightened/"
	case demo.StrictNACL:
		return "strict-nacl/"
	}
	return "today/"
}

// runDemoCheck runs one check through the real command path and prints
// its table, then whether the verdict matches the story.
func runDemoCheck(o *DemoOptions, ws *demo.Workspace, c demoCheck) (bool, error) {
	fmt.Fprintf(o.IO.Out, "\n$ walls check %s %s\n", variantLabel(c.variant), strings.Join(c.args, " "))
	var stdout, stderr bytes.Buffer
	sub := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	args := append([]string{"check"}, ws.Inventory(c.variant)...)
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

func indent(w io.Writer, s string) {
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintln(w, "   "+line)
	}
}
